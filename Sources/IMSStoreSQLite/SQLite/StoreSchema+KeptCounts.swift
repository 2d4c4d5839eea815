import GRDB

/// The migrations that keep what lists would otherwise count on every request (v13–v16): counts
/// per owner and visibility and per Foreman parent, and the places of images in creation order.
extension StoreSchema {
    static func registerKeptCounts(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v13: image counts kept per owner and visibility") { db in
            // A list answers an exact total; counting the matches was a scan of every image on
            // every request (at 1M images a first page took 9.1 ms against 2.4 at 1k). The reach
            // rules read only owner and visibility, so per pair of them a count kept by triggers
            // answers an unfiltered list's total (`ImageCounts`). Rows at zero stay: harmless.
            try db.execute(sql: """
                CREATE TABLE imageCount(owner TEXT NOT NULL, visibility TEXT NOT NULL, n INTEGER NOT NULL,
                                        PRIMARY KEY (owner, visibility)) WITHOUT ROWID;
                INSERT INTO imageCount(owner, visibility, n) SELECT owner, visibility, COUNT(*) FROM image GROUP BY owner, visibility;
                CREATE TRIGGER imageCountInsert AFTER INSERT ON image BEGIN
                    INSERT INTO imageCount(owner, visibility, n) VALUES (new.owner, new.visibility, 1)
                        ON CONFLICT (owner, visibility) DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER imageCountDelete AFTER DELETE ON image BEGIN
                    UPDATE imageCount SET n = n - 1 WHERE owner = old.owner AND visibility = old.visibility;
                END;
                CREATE TRIGGER imageCountUpdate AFTER UPDATE OF owner, visibility ON image
                    WHEN old.owner IS NOT new.owner OR old.visibility IS NOT new.visibility BEGIN
                    UPDATE imageCount SET n = n - 1 WHERE owner = old.owner AND visibility = old.visibility;
                    INSERT INTO imageCount(owner, visibility, n) VALUES (new.owner, new.visibility, 1)
                        ON CONFLICT (owner, visibility) DO UPDATE SET n = n + 1;
                END;
                """)
        }
        migrator.registerMigration("v14: places of images in creation order") { db in
            // A deep page skipped its offset along the creation index: at 1M images the middle
            // page took 29 ms against 2.8 at 1k. Buckets of about `ImagePlaces.bucket` images in
            // creation order, each counted by triggers, place a position within one bucket
            // (`ImagePlaces`). A new image past the last full bucket opens the next; the first
            // bucket starts below every key (-Inf sorts before any stored time). The key column
            // has no type, so that -Inf stays a number.
            try db.execute(sql: """
                CREATE TABLE imagePlace(createdAt NOT NULL, id INTEGER NOT NULL, n INTEGER NOT NULL);
                CREATE UNIQUE INDEX imagePlace_on_key ON imagePlace(createdAt, id);
                \(placesFromImages)
                CREATE TRIGGER imagePlaceInsert AFTER INSERT ON image BEGIN
                    INSERT INTO imagePlace(createdAt, id, n)
                        SELECT new.createdAt, new.id, 0 FROM (SELECT createdAt, id, n FROM imagePlace ORDER BY createdAt DESC, id DESC LIMIT 1) AS last
                        WHERE last.n >= \(ImagePlaces.bucket) AND (new.createdAt > last.createdAt OR (new.createdAt = last.createdAt AND new.id > last.id));
                    UPDATE imagePlace SET n = n + 1 WHERE rowid = \(ImagePlaces.bucketOf("new"));
                END;
                CREATE TRIGGER imagePlaceDelete AFTER DELETE ON image BEGIN
                    UPDATE imagePlace SET n = n - 1 WHERE rowid = \(ImagePlaces.bucketOf("old"));
                END;
                CREATE TRIGGER imagePlaceUpdate AFTER UPDATE OF createdAt ON image WHEN old.createdAt IS NOT new.createdAt BEGIN
                    UPDATE imagePlace SET n = n - 1 WHERE rowid = \(ImagePlaces.bucketOf("old"));
                    UPDATE imagePlace SET n = n + 1 WHERE rowid = \(ImagePlaces.bucketOf("new"));
                END;
                """)
        }
        migrator.registerMigration("v15: image counts kept per parent") { db in
            // Foreman lists images under a compute resource, operating system or architecture,
            // and answers the parent's total: a COUNT of its images on every request. In the
            // soak (bench/run section 8) the creates go under one compute resource, and that
            // count grew to ~2.5 ms a list at 100k images, a third of the gateway's core at the
            // soak's rate. Kept by triggers like `imageCount` (`ImageCounts.underParent`), one set
            // per parent, each only for images under one (most images have none: a batch delete
            // of 10,000 of them runs no statement of these). The columns are this migration's
            // own list: a migration must not change when the code's does.
            try db.execute(sql: """
                CREATE TABLE imageParentCount(field TEXT NOT NULL, parentId INTEGER NOT NULL, n INTEGER NOT NULL,
                                              PRIMARY KEY (field, parentId)) WITHOUT ROWID;
                """)
            for column in ["computeResourceId", "operatingsystemId", "architectureId"] {
                let add = """
                    INSERT INTO imageParentCount(field, parentId, n) VALUES ('\(column)', new.\(column), 1)
                        ON CONFLICT (field, parentId) DO UPDATE SET n = n + 1;
                    """
                let remove = "UPDATE imageParentCount SET n = n - 1 WHERE field = '\(column)' AND parentId = old.\(column);"
                try db.execute(sql: """
                    INSERT INTO imageParentCount(field, parentId, n)
                        SELECT '\(column)', \(column), COUNT(*) FROM image WHERE \(column) IS NOT NULL GROUP BY \(column);
                    CREATE TRIGGER imageParentCountInsert_\(column) AFTER INSERT ON image WHEN new.\(column) IS NOT NULL BEGIN
                        \(add)
                    END;
                    CREATE TRIGGER imageParentCountDelete_\(column) AFTER DELETE ON image WHEN old.\(column) IS NOT NULL BEGIN
                        \(remove)
                    END;
                    CREATE TRIGGER imageParentCountLeave_\(column) AFTER UPDATE OF \(column) ON image
                        WHEN old.\(column) IS NOT NULL AND old.\(column) IS NOT new.\(column) BEGIN
                        \(remove)
                    END;
                    CREATE TRIGGER imageParentCountJoin_\(column) AFTER UPDATE OF \(column) ON image
                        WHEN new.\(column) IS NOT NULL AND old.\(column) IS NOT new.\(column) BEGIN
                        \(add)
                    END;
                    """)
            }
        }
        migrator.registerMigration("v16: a bucket opens only at the newest image") { db in
            // v14 opened a bucket at a new image past the last bucket's key even when images
            // after it were stored already (a group commit writes concurrent creates in any order
            // of their times; imports and migrations write older ones): those stayed counted in
            // the bucket before, and every later page came out shifted. Now a bucket opens only
            // at the image last in the order, and the buckets are made again from the images.
            try db.execute(sql: """
                DROP TRIGGER imagePlaceInsert;
                DELETE FROM imagePlace;
                \(placesFromImages)
                CREATE TRIGGER imagePlaceInsert AFTER INSERT ON image BEGIN
                    INSERT INTO imagePlace(createdAt, id, n)
                        SELECT new.createdAt, new.id, 0 FROM (SELECT createdAt, id, n FROM imagePlace ORDER BY createdAt DESC, id DESC LIMIT 1) AS last
                        WHERE last.n >= \(ImagePlaces.bucket) AND (new.createdAt > last.createdAt OR (new.createdAt = last.createdAt AND new.id > last.id))
                          AND NOT EXISTS (SELECT 1 FROM image WHERE createdAt > new.createdAt)
                          AND NOT EXISTS (SELECT 1 FROM image WHERE createdAt = new.createdAt AND id > new.id);
                    UPDATE imagePlace SET n = n + 1 WHERE rowid = \(ImagePlaces.bucketOf("new"));
                END;
                """)
        }
    }

    /// The buckets of the images stored (v14, made again by v16): the first starts below every
    /// key (-Inf sorts before any stored time), then one at every `ImagePlaces.bucket`-th image.
    private static let placesFromImages = """
        INSERT INTO imagePlace(createdAt, id, n) SELECT -1e999, 0, min(\(ImagePlaces.bucket), COUNT(*)) FROM image;
        INSERT INTO imagePlace(createdAt, id, n)
            SELECT createdAt, id, min(\(ImagePlaces.bucket), total - r + 1)
            FROM (SELECT createdAt, id, ROW_NUMBER() OVER (ORDER BY createdAt, id) AS r, COUNT(*) OVER () AS total FROM image)
            WHERE r % \(ImagePlaces.bucket) = 1 AND r > 1;
        """
}

import GRDB

/// Every schema change of the bundled store, in order. Nothing else creates or alters tables.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: images, catalogue, applications, jobs") { db in
            try db.create(table: "image") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("imageId", .text).notNull().unique()
                t.column("name", .text).notNull()
                t.column("description", .text).notNull()
                t.column("status", .text).notNull()
                t.column("transitionStatus", .text).notNull()
                t.column("imageType", .text).notNull()
                t.column("diskFormat", .text).notNull()
                t.column("minDisk", .integer).notNull()
                t.column("minRam", .integer).notNull()
                t.column("cpuArch", .text).notNull()
                t.column("bits", .text).notNull()
                t.column("osType", .text).notNull()
                t.column("osVersion", .text).notNull()
                t.column("platform", .text).notNull()
                t.column("visibility", .text).notNull()
                t.column("bootMode", .text).notNull()
                t.column("usage", .text).notNull()
                t.column("owner", .text).notNull()
                t.column("departmentId", .text).notNull()
                t.column("resourceGroupId", .text).notNull()
                t.column("region", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("checksum", .text).notNull()
                t.column("username", .text).notNull()
                t.column("password", .text).notNull()
                t.column("uuid", .text).notNull()
                t.column("userData", .boolean).notNull()
                t.column("computeResourceId", .integer)
                t.column("operatingsystemId", .integer)
                t.column("architectureId", .integer)
                t.column("provider", .text).notNull()
                t.column("zone", .text).notNull()
                t.column("sourceType", .text).notNull()
                t.column("uploadId", .text).notNull()
                t.column("errMessage", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("statusTime", .datetime).notNull()
            }
            // The list filters every dialect offers.
            try db.create(index: "image_on_name", on: "image", columns: ["name"])
            try db.create(index: "image_on_owner_visibility", on: "image", columns: ["owner", "visibility"])
            try db.create(index: "image_on_visibility", on: "image", columns: ["visibility"])
            try db.create(index: "image_on_status", on: "image", columns: ["status"])
            try db.create(index: "image_on_compute_resource", on: "image", columns: ["computeResourceId", "name"])
            try db.create(index: "image_on_operatingsystem", on: "image", columns: ["operatingsystemId"])
            try db.create(index: "image_on_architecture", on: "image", columns: ["architectureId"])
            try db.create(index: "image_on_created", on: "image", columns: ["createdAt"])

            try db.create(table: "catalogEntry") { t in
                t.column("kind", .text).notNull()
                t.column("id", .integer).notNull()
                t.column("name", .text).notNull()
                t.primaryKey(["kind", "id"])
            }

            try db.create(table: "imageApplication") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("displayName", .text).notNull()
                t.column("description", .text).notNull()
                t.column("picture", .text).notNull()
                t.column("applications", .jsonText).notNull()
                t.column("status", .text).notNull()
                t.column("owner", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "imageApplication_on_name", on: "imageApplication", columns: ["name"])
            try db.create(index: "imageApplication_on_status", on: "imageApplication", columns: ["status", "createdAt"])

            try db.create(table: "job") { t in
                t.primaryKey("jobId", .text)
                t.column("action", .text).notNull()
                t.column("status", .text).notNull()
                t.column("zone", .text).notNull()
                t.column("requestId", .text).notNull()
                t.column("resourceIds", .jsonText).notNull()
                t.column("owner", .text).notNull()
                t.column("info", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("beganAt", .datetime)
                t.column("finishedAt", .datetime)
            }
        }
        migrator.registerMigration("v2: users, instances, members, shares, files, deferred jobs") { db in
            try db.create(table: "user") { t in
                t.primaryKey("id", .integer)
                t.column("username", .text).notNull()
                t.column("name", .text)
                t.column("mobile", .text).notNull()
                t.column("email", .text).notNull()
                t.column("type", .text).notNull()
                t.column("status", .text).notNull()
                t.column("avatarUrl", .text).notNull()
                t.column("optionalFlavorIds", .text).notNull()
                t.column("tenant", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "applicationInstance") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("displayName", .text).notNull()
                t.column("description", .text)
                t.column("userId", .integer).notNull().indexed()
                t.column("applicationId", .integer).notNull().indexed()
                t.column("flavorConfig", .text).notNull()
                t.column("status", .text).notNull()
                t.column("owner", .text).notNull()
                for column in ["stackRef", "stackName", "stackId", "serverRef", "serverName", "serverId", "flavorRef", "flavorId"] {
                    t.column(column, .text).notNull()
                }
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "instanceMember") { t in
                t.column("instanceId", .integer).notNull().references("applicationInstance", onDelete: .cascade)
                t.column("userId", .integer).notNull().indexed()
                t.column("createdAt", .datetime).notNull()
                t.primaryKey(["instanceId", "userId"])
            }
            try db.create(table: "imageShare") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("shareId", .text).notNull().unique()
                t.column("imageId", .text).notNull().references("image", column: "imageId", onDelete: .cascade)
                t.column("userId", .text).notNull().indexed()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.uniqueKey(["imageId", "userId"])
            }
            try db.create(table: "imageFile") { t in
                t.primaryKey("imageId", .text).references("image", column: "imageId", onDelete: .cascade)
                t.column("uploadId", .text).notNull()
                t.column("token", .text).notNull()
                t.column("expectedSize", .integer).notNull()
                t.column("size", .integer).notNull()
                t.column("md5", .text).notNull()
                t.column("complete", .boolean).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.alter(table: "job") { t in
                t.add(column: "command", .jsonText)
            }
            try db.create(index: "job_on_status", on: "job", columns: ["status", "createdAt"])
        }
        migrator.registerMigration("v3: trigram index of image names") { db in
            // Name search (`LIKE '%part%'`) through FTS5's trigram tokenizer instead of a scan of
            // every name; the triggers keep it in step with the image table.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE imageNameSearch USING fts5(name, content='image', content_rowid='id', tokenize='trigram');
                CREATE TRIGGER imageNameSearchInsert AFTER INSERT ON image BEGIN
                    INSERT INTO imageNameSearch(rowid, name) VALUES (new.id, new.name);
                END;
                CREATE TRIGGER imageNameSearchDelete AFTER DELETE ON image BEGIN
                    INSERT INTO imageNameSearch(imageNameSearch, rowid, name) VALUES ('delete', old.id, old.name);
                END;
                CREATE TRIGGER imageNameSearchUpdate AFTER UPDATE OF name ON image BEGIN
                    INSERT INTO imageNameSearch(imageNameSearch, rowid, name) VALUES ('delete', old.id, old.name);
                    INSERT INTO imageNameSearch(rowid, name) VALUES (new.id, new.name);
                END;
                INSERT INTO imageNameSearch(imageNameSearch) VALUES ('rebuild');
                """)
        }
        migrator.registerMigration("v4: uuid index for Foreman's uniqueness check") { db in
            try db.create(index: "image_on_compute_resource_uuid", on: "image", columns: ["computeResourceId", "uuid"])
        }
        migrator.registerMigration("v5: name-index deletions deferred") { db in
            // FTS5's 'delete' of an external-content row rewrites a posting per trigram: in a
            // 10,000-image batch delete it was half the statement and most of the commit. A
            // deleted image's name is set aside instead and `NameIndex.purge` takes it out of
            // the index in the background. Queries meanwhile may find postings of deleted rows;
            // they match by phrase (no content read) and join to the image table, and AUTOINCREMENT
            // never gives a deleted row id to a new image.
            try db.execute(sql: """
                CREATE TABLE imageNameSearchStale(rowid INTEGER PRIMARY KEY, name TEXT NOT NULL);
                DROP TRIGGER imageNameSearchDelete;
                CREATE TRIGGER imageNameSearchDelete AFTER DELETE ON image BEGIN
                    INSERT INTO imageNameSearchStale(rowid, name) VALUES (old.id, old.name);
                END;
                """)
        }
        migrator.registerMigration("v6: no single-column indexes on visibility and status") { db in
            // Two or three values each: with no statistics SQLite takes such an index for a few
            // rows and then sorts every match, so a first page of 1M public images took 0.6 s
            // (1.5 s at page 5,000). Status filters compare with NOCASE and never used theirs.
            // Public lists, in creation order, get an index that is already in that order.
            try db.drop(index: "image_on_visibility")
            try db.drop(index: "image_on_status")
            try db.create(index: "image_on_visibility_created", on: "image", columns: ["visibility", "createdAt"])
        }
        migrator.registerMigration("v7: compute resource pages in row order; uuids by their own index") { db in
            // Foreman lists a compute resource's images in row order; its two indexes held them
            // in name or uuid order, so every page sorted all of that resource's images. A
            // one-column index keeps them in row order; the uuid check gets an index of its own.
            try db.drop(index: "image_on_compute_resource_uuid")
            try db.create(index: "image_on_compute_resource_rows", on: "image", columns: ["computeResourceId"])
            try db.create(index: "image_on_uuid", on: "image", columns: ["uuid"])
        }
        migrator.registerMigration("v8: S3 upload keys and multipart uploads") { db in
            // A prepared upload's S3 key pair (per-day signing-key steps, never the secret), the
            // multipart uploads opened with it, and their parts; all go with their image.
            try db.create(table: "uploadKey") { t in
                t.primaryKey("accessKey", .text)
                t.column("imageId", .text).notNull().indexed().references("image", column: "imageId", onDelete: .cascade)
                t.column("dateKeys", .text).notNull()
                t.column("tokenSha256", .text).notNull()
                t.column("expiresAt", .datetime).notNull()
            }
            try db.create(table: "multipartUpload") { t in
                t.primaryKey("uploadId", .text)
                t.column("imageId", .text).notNull().indexed().references("image", column: "imageId", onDelete: .cascade)
                t.column("completed", .boolean).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "uploadPart") { t in
                t.column("uploadId", .text).notNull().references("multipartUpload", column: "uploadId", onDelete: .cascade)
                t.column("partNumber", .integer).notNull()
                t.column("size", .integer).notNull()
                t.column("md5", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.primaryKey(["uploadId", "partNumber"])
            }
            try db.alter(table: "imageFile") { t in
                t.add(column: "etag", .text).notNull().defaults(to: "")
            }
        }
        migrator.registerMigration("v9: catalogue entries as Foreman API resources") { db in
            // Foreman's own clients create, look up (by title for operating systems) and delete
            // compute resources, operating systems and architectures.
            try db.alter(table: "catalogEntry") { t in
                for column in ["title", "major", "minor", "family", "description", "provider", "url"] {
                    t.add(column: column, .text).notNull().defaults(to: "")
                }
                t.add(column: "extra", .jsonText).notNull().defaults(to: "{}")
                t.add(column: "createdAt", .datetime).notNull().defaults(to: "1970-01-01 00:00:00.000")
                t.add(column: "updatedAt", .datetime).notNull().defaults(to: "1970-01-01 00:00:00.000")
            }
            try db.execute(sql: "UPDATE catalogEntry SET title = name")
            try db.create(index: "catalogEntry_on_name", on: "catalogEntry", columns: ["kind", "name"])
        }
        // A worker holds a job under a lease; one whose lease lapsed is another worker's to claim.
        migrator.registerMigration("v10: job leases") { db in
            try db.alter(table: "job") { t in
                t.add(column: "leaseOwner", .text)
                t.add(column: "leaseUntil", .datetime)
            }
        }
        // What every gateway must remember of requests: signatures accepted (replays refused
        // after a restart too) and answers kept under idempotency keys.
        migrator.registerMigration("v11: seen signatures and idempotency records") { db in
            try db.create(table: "seenSignature", options: .withoutRowID) { t in
                t.primaryKey("key", .text)
                t.column("until", .datetime).notNull().indexed()
            }
            try db.create(table: "idempotencyRecord", options: .withoutRowID) { t in
                t.primaryKey("scope", .text)
                t.column("request", .text).notNull()
                t.column("owner", .text)
                t.column("leaseUntil", .datetime)
                t.column("answer", .text)
                t.column("expires", .datetime)
            }
        }
        // Work one gateway does for all (the scheduled Glance sync); on SQLite that is one
        // process, but it goes through the same store protocol (`Leases`).
        migrator.registerMigration("v12: named leases") { db in
            try db.create(table: "lease") { t in
                t.primaryKey("name", .text)
                t.column("holder", .text).notNull()
                t.column("until", .datetime).notNull()
            }
        }
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
        return migrator
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

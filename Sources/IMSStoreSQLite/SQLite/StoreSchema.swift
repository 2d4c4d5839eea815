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
        registerKeptCounts(&migrator)
        return migrator
    }
}

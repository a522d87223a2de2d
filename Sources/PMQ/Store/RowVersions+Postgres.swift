/// The row-version store (RowVersions, docs/time-travel.md) in PostgreSQL's form: the same
/// tables and the same rule for writing a version, with the columns typed as the travelled
/// table types them and the trigger body in PL/pgSQL.
///
/// No backfill from the journal: the PostgreSQL engine arrived with schema step 10, so a
/// PostgreSQL store passes steps 8 and 10 when it is created, with an empty journal.
extension RowVersions {
    /// The versions table of `table`: valid_to, id, valid_from, then the columns, typed by
    /// copying them from the table (`CREATE TABLE ... AS ... WITH NO DATA`).
    static func postgresCreate(_ table: String, _ columns: [String]) -> String {
        let v = versions(table)
        return """
        CREATE TABLE \(v) AS SELECT CAST(0 AS bigint) AS valid_to, id, CAST(0 AS bigint) AS valid_from, \(columns.joined(separator: ", "))
            FROM \(table) WITH NO DATA;
        ALTER TABLE \(v) ADD PRIMARY KEY (valid_to, id), ALTER COLUMN valid_from SET NOT NULL;
        CREATE INDEX \(v)_row ON \(v)(id, valid_to);
        """
    }

    /// One trigger function per table, run after each updated or deleted row: the row as it
    /// was becomes a version ending on the newest change set's day, unless the row already
    /// has a version ending on or after it (the rule of `RowVersions.triggers`).
    static func postgresTriggers(_ table: String, _ columns: [String]) -> String {
        let v = versions(table)
        return """
        CREATE OR REPLACE FUNCTION \(v)_keep() RETURNS trigger LANGUAGE plpgsql AS $pmq$
        DECLARE d bigint; f bigint;
        BEGIN
            SELECT s.day INTO d FROM journal_sets s ORDER BY s.id DESC LIMIT 1;
            SELECT coalesce(max(x.valid_to), \(always)) INTO f FROM \(v) x WHERE x.id = OLD.id;
            IF d > f THEN
                INSERT INTO \(v) (valid_to, id, valid_from, \(columns.joined(separator: ", ")))
                VALUES (d, OLD.id, f, \(columns.map { "OLD.\($0)" }.joined(separator: ", ")));
            ELSIF d < f AND TG_OP = 'UPDATE' THEN
                -- Booked before a version the row has (RowVersions.backdatedTrigger).
                INSERT INTO \(v) (valid_to, id, valid_from, \(columns.joined(separator: ", ")))
                SELECT d, x.id, x.valid_from, \(columns.map { "x.\($0)" }.joined(separator: ", ")) FROM \(v) x
                WHERE x.id = OLD.id AND x.valid_from < d AND x.valid_to > d;
                UPDATE \(v) SET valid_from = d WHERE id = OLD.id AND valid_from < d AND valid_to > d;
                UPDATE \(v) SET \(columns.map { "\($0) = CASE WHEN OLD.\($0) IS NOT DISTINCT FROM NEW.\($0) THEN \(v).\($0) ELSE NEW.\($0) END" }.joined(separator: ", "))
                WHERE id = OLD.id AND valid_from >= d;
            ELSIF d < f AND TG_OP = 'DELETE' THEN
                -- Deleted by a set booked before a version the row has (RowVersions.backdatedDeleteTrigger).
                INSERT INTO \(v) (valid_to, id, valid_from, \(columns.joined(separator: ", ")))
                SELECT d, x.id, x.valid_from, \(columns.map { "x.\($0)" }.joined(separator: ", ")) FROM \(v) x
                WHERE x.id = OLD.id AND x.valid_from < d AND x.valid_to > d;
                DELETE FROM \(v) WHERE id = OLD.id AND valid_to > d;
            END IF;
            RETURN NULL;
        END $pmq$;
        DROP TRIGGER IF EXISTS \(v)_on_update ON \(table);
        DROP TRIGGER IF EXISTS \(v)_on_delete ON \(table);
        CREATE TRIGGER \(v)_on_update AFTER UPDATE ON \(table) FOR EACH ROW EXECUTE FUNCTION \(v)_keep();
        CREATE TRIGGER \(v)_on_delete AFTER DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION \(v)_keep();
        """
    }

    static func postgresMigration(_ tables: [(table: String, columns: [String])]) -> String {
        tables.map { postgresCreate($0.table, $0.columns) + "\n" + postgresTriggers($0.table, $0.columns) }.joined(separator: "\n")
    }

    /// PostgreSQL: the type a column of `table` has, to give its versions column the same.
    static func postgresType(_ table: String, _ column: String, _ db: any Engine) throws -> String {
        let type = try db.scalar("""
            SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass(?1) AND a.attname = ?2 AND NOT a.attisdropped
            """, [.text(table), .text(column)])
        if case .text(let t) = type, t.allSatisfy({ $0.isLetter || $0.isNumber || " ()_,".contains($0) }) { return t }
        return "text"
    }
}

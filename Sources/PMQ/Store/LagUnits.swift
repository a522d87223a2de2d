/// Schema step v21 / pg21: a dependency's lag keeps its unit (docs/language.md, “Scheduling”).
///
/// `lag 3d` is three calendar days and `lag 3wd` three working days, as the language's
/// durations are. Before this step `schedule` counted every lag in working days, whatever it
/// was written in, so the links stored before it keep that meaning: they get `wd`. The
/// column's default is `wd` for the same reason (ADD COLUMN gives the existing rows the
/// default); every path that writes a lag writes its unit with it.
///
/// Not SQL alone: the versions table behind `as of` takes the new column too (its old
/// versions were working-day lags as well), and the row-version triggers are written again
/// with it (RowVersions.follow). `migrate` calls `LagUnits.migrate` for it on both engines.
enum LagUnits {
    static let step = "-- step: dependencies.lag_unit (LagUnits.migrate)"

    static let addColumn = "ALTER TABLE dependencies ADD COLUMN lag_unit TEXT NOT NULL DEFAULT 'wd' CHECK (lag_unit IN ('d', 'wd'))"
    static let addColumnPostgres = "ALTER TABLE dependencies ADD COLUMN lag_unit text NOT NULL DEFAULT 'wd' CHECK (lag_unit IN ('d', 'wd'))"

    static func migrate(_ db: any Engine) throws {
        try db.execute(db.kind == .postgres ? addColumnPostgres : addColumn)
        try RowVersions.follow("dependencies", db, fill: .text("wd"))
    }
}

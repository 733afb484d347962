//! The yardstick the sync and county benchmarks compare against: the same rows as CSV, and the
//! `sqlite3` shell's `.import` of that CSV into the same tables as they are without any sync
//! bookkeeping (the tables and indexes of schema 2, before sync existed).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::types::ValueRef;

/// Writes one CSV file per synced table of `db` into `dir` (a header line, then every row's
/// `id, created_at, updated_at, updated_by, deleted` and data columns) and returns their bytes.
pub fn write_csv(db: &Path, dir: &Path) -> u64 {
    std::fs::create_dir_all(dir).unwrap();
    let conn = Connection::open(db).unwrap();
    let mut total = 0;
    for t in dripline::store::sync_tables() {
        let columns: Vec<&str> = ["id", "created_at", "updated_at", "updated_by", "deleted"]
            .into_iter()
            .chain(t.columns.iter().copied())
            .collect();
        let path = dir.join(format!("{}.csv", t.name));
        let mut writer = csv::Writer::from_path(&path).unwrap();
        writer.write_record(&columns).unwrap();
        let sql = format!("SELECT {} FROM {}", columns.join(", "), t.name);
        let mut stmt = conn.prepare(&sql).unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let fields: Vec<Vec<u8>> = (0..columns.len())
                .map(|i| match r.get_ref(i).unwrap() {
                    ValueRef::Null => Vec::new(),
                    ValueRef::Integer(v) => v.to_string().into_bytes(),
                    ValueRef::Real(v) => v.to_string().into_bytes(),
                    ValueRef::Text(v) => v.to_vec(),
                    ValueRef::Blob(v) => hex::encode(v).into_bytes(),
                })
                .collect();
            writer.write_record(&fields).unwrap();
        }
        writer.flush().unwrap();
        total += std::fs::metadata(&path).unwrap().len();
    }
    total
}

/// Creates `reference` with today's synced tables stripped of the sync bookkeeping (the data
/// columns in CSV order with their declared types, a text `id` key, and the indexes over data
/// columns) and times the `sqlite3` shell's `.import` of the CSV files in `dir` into them.
/// `None` when the shell is not installed.
///
/// The tables are derived from the current schema rather than written out here, so that a column
/// added by a later migration cannot make the reference stale again (it once created the tables
/// of schema 2, and `.import` failed when the member table had grown four columns).
pub fn sqlite3_import(dir: &Path, reference: &Path) -> Option<Duration> {
    Command::new("sqlite3").arg("--version").output().ok()?;
    let _ = std::fs::remove_file(reference);
    create_reference_tables(reference);
    let mut script = String::from(".mode csv\n");
    for t in dripline::store::sync_tables() {
        script.push_str(&format!(
            ".import --skip 1 '{}' {}\n",
            dir.join(format!("{}.csv", t.name)).display(),
            t.name
        ));
    }
    let script_path = dir.join("import.sql");
    std::fs::write(&script_path, script).unwrap();
    let start = Instant::now();
    let status = Command::new("sqlite3")
        .arg(reference)
        .arg(format!(".read '{}'", script_path.display()))
        .status()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(status.success(), "sqlite3 .import failed");
    Some(elapsed)
}

/// Writes the bookkeeping-free tables of [`sqlite3_import`] into a new file at `reference`.
fn create_reference_tables(reference: &Path) {
    let mut current = Connection::open_in_memory().unwrap();
    dripline::store::schema::migrate_to(&mut current, dripline::store::schema::latest_version())
        .unwrap();
    let conn = Connection::open(reference).unwrap();
    for t in dripline::store::sync_tables() {
        let csv_columns: Vec<&str> = ["id", "created_at", "updated_at", "updated_by", "deleted"]
            .into_iter()
            .chain(t.columns.iter().copied())
            .collect();
        let declared: Vec<(String, String)> = current
            .prepare(&format!(
                "SELECT name, type FROM pragma_table_info('{}')",
                t.name
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let column_defs: Vec<String> = csv_columns
            .iter()
            .map(|c| {
                let ty = declared
                    .iter()
                    .find(|(name, _)| name == c)
                    .map(|(_, ty)| ty.as_str())
                    .unwrap_or("");
                if *c == "id" {
                    "id TEXT PRIMARY KEY".to_string()
                } else {
                    format!("{c} {ty}")
                }
            })
            .collect();
        conn.execute_batch(&format!(
            "CREATE TABLE {} ({})",
            t.name,
            column_defs.join(", ")
        ))
        .unwrap();
        // The data indexes (a household's number in its village, a member's household...) are
        // part of what a plain import pays for; the bookkeeping ones are what it is compared to.
        let indexes: Vec<(String, String)> = current
            .prepare(
                "SELECT name, sql FROM sqlite_master \
                 WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
            )
            .unwrap()
            .query_map([t.name], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (name, sql) in indexes {
            let over: Vec<String> = current
                .prepare(&format!("SELECT name FROM pragma_index_info('{name}')"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            // The clash flag is the sync's own bookkeeping (not a data column): the unique
            // indexes hold over every live row here, and the index of flagged rows is dropped.
            if sql.contains("WHERE clash = 1") {
                continue;
            }
            let sql = sql.replace(" AND clash = 0", "");
            if over.iter().all(|c| csv_columns.contains(&c.as_str())) {
                conn.execute_batch(&sql).unwrap();
            }
        }
    }
}

/// The size of a database file (after its write-ahead log was folded in).
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

//! Reading and writing the columns of the workflow tables: typed values to SQLite values and back,
//! a generic "live rows" reader, and the link rows (helper ↔ household, project ↔ household,
//! product ↔ producer) that hang off an owning record.
//!
//! Readers select `id` followed by the table's data columns in the order of its [`Table`], so a
//! row mapper reads column `k + 1` for the `k`-th data column and the SELECT never drifts from the
//! write path.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, Row, ToSql, Transaction};
use uuid::Uuid;

use super::Result;
use super::record::{ChangeContext, Table, tombstone, write_record};

/// Filter selecting the rows of one village through their household.
pub(crate) const OF_VILLAGE_HOUSEHOLDS: &str =
    "household_id IN (SELECT id FROM household WHERE village_id = ?1 AND deleted = 0)";

fn conversion(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
}

pub(crate) fn uuid_at(row: &Row, i: usize) -> rusqlite::Result<Uuid> {
    let text: String = row.get(i)?;
    Uuid::parse_str(&text).map_err(|e| conversion(i, e))
}

pub(crate) fn opt_uuid_at(row: &Row, i: usize) -> rusqlite::Result<Option<Uuid>> {
    let text: Option<String> = row.get(i)?;
    text.map(|t| Uuid::parse_str(&t).map_err(|e| conversion(i, e)))
        .transpose()
}

pub(crate) fn date_at(row: &Row, i: usize) -> rusqlite::Result<NaiveDate> {
    let text: String = row.get(i)?;
    NaiveDate::from_str(&text).map_err(|e| conversion(i, e))
}

pub(crate) fn opt_date_at(row: &Row, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(i)?;
    text.map(|t| NaiveDate::from_str(&t).map_err(|e| conversion(i, e)))
        .transpose()
}

/// A coded value; an unknown code (written by a newer app) reads as `fallback`.
pub(crate) fn code_at<T>(
    row: &Row,
    i: usize,
    parse: fn(&str) -> Option<T>,
    fallback: T,
) -> rusqlite::Result<T> {
    let text: String = row.get(i)?;
    Ok(parse(&text).unwrap_or(fallback))
}

pub(crate) fn opt_code_at<T>(
    row: &Row,
    i: usize,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(i)?;
    Ok(text.as_deref().and_then(parse))
}

pub(crate) fn uuid_value(id: Uuid) -> Value {
    id.to_string().into()
}

pub(crate) fn opt_uuid_value(id: Option<Uuid>) -> Value {
    id.map(|i| i.to_string()).into()
}

pub(crate) fn date_value(d: NaiveDate) -> Value {
    d.to_string().into()
}

pub(crate) fn opt_date_value(d: Option<NaiveDate>) -> Value {
    d.map(|d| d.to_string()).into()
}

pub(crate) fn text_value(text: &str) -> Value {
    text.trim().to_string().into()
}

/// The live rows of `table` matching `filter` (SQL over the table's columns, `?1` bound to
/// `arg`), mapped by `from`, in the order of `order_by`.
pub(crate) fn live_rows<T>(
    conn: &Connection,
    table: &Table,
    filter: &str,
    arg: &dyn ToSql,
    order_by: &str,
    from: fn(&Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let sql = format!(
        "SELECT id, {} FROM {} WHERE deleted = 0 AND {filter} ORDER BY {order_by}",
        table.columns.join(", "),
        table.name
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([arg], from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One live row of `table` by id, or `None`.
pub(crate) fn live_row<T>(
    conn: &Connection,
    table: &Table,
    id: Uuid,
    from: fn(&Row) -> rusqlite::Result<T>,
) -> Result<Option<T>> {
    Ok(
        live_rows(conn, table, "id = ?1", &id.to_string(), "id", from)?
            .into_iter()
            .next(),
    )
}

/// Link tables have two data columns: the owner (`columns[0]`) and the linked household
/// (`columns[1]`). Returns owner → household ids (each once) for the live links matching `filter` (SQL over
/// the link table, `?1` bound to `arg`), in household-number order: the order the lists show,
/// and one that does not depend on when or in which change a link was written.
pub(crate) fn links(
    conn: &Connection,
    table: &Table,
    filter: &str,
    arg: &dyn ToSql,
) -> Result<HashMap<Uuid, Vec<Uuid>>> {
    let linked = format!("{}.{}", table.name, table.columns[1]);
    let order = format!("(SELECT number FROM household WHERE household.id = {linked}), {linked}");
    let rows = live_rows(conn, table, filter, arg, &order, |row| {
        Ok((uuid_at(row, 1)?, uuid_at(row, 2)?))
    })?;
    let mut map: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (owner, linked) in rows {
        // Two laptops that both linked one household to one project leave two link records (a
        // clash kept until a person tidies it, see `clashes.rs`): they say one thing, and the
        // household is listed once. The rows come in household order, so a twin is adjacent.
        let list = map.entry(owner).or_default();
        if list.last() != Some(&linked) {
            list.push(linked);
        }
    }
    Ok(map)
}

/// Makes the live links of `owner` exactly `wanted`: tombstones links no longer wanted and writes
/// new ones, inside the caller's change. Returns whether anything changed.
pub(crate) fn sync_links(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    owner: Uuid,
    wanted: &[Uuid],
) -> Result<bool> {
    let sql = format!(
        "SELECT id, {} FROM {} WHERE deleted = 0 AND {} = ?1",
        table.columns[1], table.name, table.columns[0]
    );
    let existing: Vec<(Uuid, Uuid)> = tx
        .prepare_cached(&sql)?
        .query_map([owner.to_string()], |row| {
            Ok((uuid_at(row, 0)?, uuid_at(row, 1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut changed = false;
    for (link, linked) in &existing {
        if !wanted.contains(linked) {
            changed |= tombstone(tx, ctx, table, *link)?;
        }
    }
    // A list naming a record twice still gets one link.
    let mut present: Vec<Uuid> = existing.iter().map(|(_, linked)| *linked).collect();
    for linked in wanted {
        if !present.contains(linked) {
            let values = [uuid_value(owner), uuid_value(*linked)];
            changed |= write_record(tx, ctx, table, Uuid::new_v4(), &values)?;
            present.push(*linked);
        }
    }
    Ok(changed)
}

/// Tombstones every live link of `owner` (when the owner itself is deleted).
pub(crate) fn drop_links(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    owner: Uuid,
) -> Result<bool> {
    sync_links(tx, ctx, table, owner, &[])
}

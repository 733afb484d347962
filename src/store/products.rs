//! E-commerce and industry (the seed's first half): the village register of local products with
//! their producing households, sales per household and channel, and training records.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use uuid::Uuid;

use super::record::{ChangeId, Table, tombstone, write_record};
use super::rows::*;
use super::{Result, Store, StoreError};
use crate::model::{Certification, Product, Sale, SalesChannel, Training};
use crate::rules::workflow_records as check;

pub(crate) const PRODUCT: Table = Table {
    name: "product",
    columns: &[
        "village_id",
        "name",
        "kind",
        "season",
        "volume",
        "unit",
        "price_yuan",
        "certification",
        "measure_id",
    ],
};

/// One row per (product, producing household).
pub(crate) const PRODUCT_PRODUCER: Table = Table {
    name: "product_producer",
    columns: &["product_id", "household_id"],
};

pub(crate) const SALE: Table = Table {
    name: "sale",
    columns: &[
        "household_id",
        "product_id",
        "channel",
        "date",
        "amount_yuan",
        "quantity",
    ],
};

pub(crate) const TRAINING: Table = Table {
    name: "training",
    columns: &[
        "village_id",
        "household_id",
        "member_id",
        "person_name",
        "course",
        "date",
        "hours",
    ],
};

pub(crate) const TABLES: &[&Table] = &[&PRODUCT, &PRODUCT_PRODUCER, &SALE, &TRAINING];

pub(crate) fn product_values(p: &Product) -> Vec<Value> {
    vec![
        uuid_value(p.village_id),
        text_value(&p.name),
        text_value(&p.kind),
        text_value(&p.season),
        p.volume.into(),
        text_value(&p.unit),
        p.price_yuan.into(),
        p.certification.code().to_string().into(),
        opt_uuid_value(p.measure_id),
    ]
}

fn product_from(row: &Row) -> rusqlite::Result<Product> {
    Ok(Product {
        id: uuid_at(row, 0)?,
        village_id: uuid_at(row, 1)?,
        name: row.get(2)?,
        kind: row.get(3)?,
        season: row.get(4)?,
        volume: row.get(5)?,
        unit: row.get(6)?,
        price_yuan: row.get(7)?,
        certification: code_at(row, 8, Certification::parse, Certification::NoCertification)?,
        producer_household_ids: Vec::new(),
        measure_id: opt_uuid_at(row, 9)?,
    })
}

pub(crate) fn sale_values(s: &Sale) -> Vec<Value> {
    vec![
        uuid_value(s.household_id),
        opt_uuid_value(s.product_id),
        s.channel.code().to_string().into(),
        date_value(s.date),
        s.amount_yuan.into(),
        s.quantity.into(),
    ]
}

fn sale_from(row: &Row) -> rusqlite::Result<Sale> {
    Ok(Sale {
        id: uuid_at(row, 0)?,
        household_id: uuid_at(row, 1)?,
        product_id: opt_uuid_at(row, 2)?,
        channel: code_at(row, 3, SalesChannel::parse, SalesChannel::Other)?,
        date: date_at(row, 4)?,
        amount_yuan: row.get(5)?,
        quantity: row.get(6)?,
    })
}

pub(crate) fn training_values(t: &Training) -> Vec<Value> {
    vec![
        uuid_value(t.village_id),
        opt_uuid_value(t.household_id),
        opt_uuid_value(t.member_id),
        text_value(&t.person_name),
        text_value(&t.course),
        date_value(t.date),
        t.hours.into(),
    ]
}

fn training_from(row: &Row) -> rusqlite::Result<Training> {
    Ok(Training {
        id: uuid_at(row, 0)?,
        village_id: uuid_at(row, 1)?,
        household_id: opt_uuid_at(row, 2)?,
        member_id: opt_uuid_at(row, 3)?,
        person_name: row.get(4)?,
        course: row.get(5)?,
        date: date_at(row, 6)?,
        hours: row.get(7)?,
    })
}

/// The live products of a village with their producers, by name.
pub(crate) fn load_products(conn: &Connection, village_id: Uuid) -> Result<Vec<Product>> {
    let village = village_id.to_string();
    let mut products = live_rows(
        conn,
        &PRODUCT,
        "village_id = ?1",
        &village,
        "name, id",
        product_from,
    )?;
    let mut producers = links(
        conn,
        &PRODUCT_PRODUCER,
        "product_id IN (SELECT id FROM product WHERE village_id = ?1 AND deleted = 0)",
        &village,
    )?;
    for p in &mut products {
        p.producer_household_ids = producers.remove(&p.id).unwrap_or_default();
    }
    Ok(products)
}

const SALE_ORDER: &str = "household_id, date, id";

pub(crate) fn load_sales(conn: &Connection, village_id: Uuid) -> Result<Vec<Sale>> {
    live_rows(
        conn,
        &SALE,
        OF_VILLAGE_HOUSEHOLDS,
        &village_id.to_string(),
        SALE_ORDER,
        sale_from,
    )
}

pub(crate) fn load_trainings(conn: &Connection, village_id: Uuid) -> Result<Vec<Training>> {
    live_rows(
        conn,
        &TRAINING,
        "village_id = ?1",
        &village_id.to_string(),
        "date, id",
        training_from,
    )
}

impl Store {
    /// The product register of a village, each product with its producing households.
    pub fn products(&self, village_id: Uuid) -> Result<Vec<Product>> {
        load_products(&self.conn, village_id)
    }

    /// Inserts or updates a product and makes its producers exactly `producer_household_ids`,
    /// in one change.
    pub fn save_product(&mut self, p: &Product) -> Result<Option<ChangeId>> {
        let errors = check::validate_product(p);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        self.change(|tx, ctx| {
            let changed = write_record(tx, ctx, &PRODUCT, p.id, &product_values(p))?;
            let linked = sync_links(tx, ctx, &PRODUCT_PRODUCER, p.id, &p.producer_household_ids)?;
            Ok(changed | linked)
        })
    }

    /// Deletes a product and its producer links; sales that name it keep the id.
    pub fn delete_product(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| {
            let dropped = drop_links(tx, ctx, &PRODUCT_PRODUCER, id)?;
            Ok(tombstone(tx, ctx, &PRODUCT, id)? | dropped)
        })
    }

    /// The sales of one household, by date.
    pub fn sales_of(&self, household_id: Uuid) -> Result<Vec<Sale>> {
        live_rows(
            &self.conn,
            &SALE,
            "household_id = ?1",
            &household_id.to_string(),
            SALE_ORDER,
            sale_from,
        )
    }

    pub fn save_sale(&mut self, s: &Sale) -> Result<Option<ChangeId>> {
        let errors = check::validate_sale(s);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        self.change(|tx, ctx| write_record(tx, ctx, &SALE, s.id, &sale_values(s)))
    }

    pub fn delete_sale(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &SALE, id))
    }

    /// The training records of a village, by date.
    pub fn trainings(&self, village_id: Uuid) -> Result<Vec<Training>> {
        load_trainings(&self.conn, village_id)
    }

    pub fn save_training(&mut self, t: &Training) -> Result<Option<ChangeId>> {
        let errors = check::validate_training(t);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        self.change(|tx, ctx| write_record(tx, ctx, &TRAINING, t.id, &training_values(t)))
    }

    pub fn delete_training(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &TRAINING, id))
    }
}

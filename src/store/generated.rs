//! Bulk loading of generated (demo) villages: the village, its households with members and
//! incomes, and its six-precisions workflow, in one change with prepared INSERTs: every row carries
//! the change's stamp (one stamp per record, as any record created in one change), and one audit
//! note per village says where the data came from. Each table's values come
//! from the same conversions as its save path, so generated rows read back like saved ones.

use rusqlite::types::Value;
use rusqlite::{CachedStatement, Transaction};
use uuid::Uuid;

use super::households::{
    HOUSEHOLD, INCOME, MEMBER, household_values, income_values, member_values,
};
use super::record::{ChangeContext, Table};
use super::{Result, Store};
use crate::model::{HouseholdRecord, Village, VillageWorkflow};

/// A prepared plain INSERT into one table, bookkeeping columns first.
struct Insert<'a> {
    stmt: CachedStatement<'a>,
    ctx: &'a ChangeContext,
    rows: usize,
}

impl<'a> Insert<'a> {
    fn new(tx: &'a Transaction, ctx: &'a ChangeContext, table: &Table) -> Result<Self> {
        let placeholders: Vec<String> = (0..table.columns.len())
            .map(|i| format!("?{}", i + 7))
            .collect();
        let sql = format!(
            "INSERT INTO {} (id, created_at, updated_at, updated_by, deleted, sync_stamp, sync_device, sync_change, created_change, {})
             VALUES (?1, ?2, ?2, ?3, 0, ?4, ?5, ?6, ?6, {})",
            table.name,
            table.columns.join(", "),
            placeholders.join(", ")
        );
        Ok(Insert {
            stmt: tx.prepare_cached(&sql)?,
            ctx,
            rows: 0,
        })
    }

    fn row(&mut self, id: Uuid, values: Vec<Value>) -> Result<()> {
        let mut args: Vec<Value> = Vec::with_capacity(values.len() + 6);
        args.push(id.to_string().into());
        args.push(self.ctx.at.clone().into());
        args.push(self.ctx.device.clone().into());
        args.push(self.ctx.stamp.clock.into());
        args.push(self.ctx.device_no.into());
        args.push(self.ctx.lseq.into());
        args.extend(values);
        self.stmt.execute(rusqlite::params_from_iter(args))?;
        self.rows += 1;
        Ok(())
    }

    /// Link rows (owner, linked household) with fresh ids, as `rows::sync_links` writes them.
    fn links(&mut self, owner: Uuid, linked: &[Uuid]) -> Result<()> {
        for (k, l) in linked.iter().enumerate() {
            if linked[..k].contains(l) {
                continue;
            }
            self.row(
                Uuid::new_v4(),
                vec![owner.to_string().into(), l.to_string().into()],
            )?;
        }
        Ok(())
    }
}

/// Writes the workflow rows of one village inside the caller's change. Returns the row count.
fn write_workflow(tx: &Transaction, ctx: &ChangeContext, w: &VillageWorkflow) -> Result<usize> {
    use super::{funds, helpers, measures, products, projects, survey, visits};
    let mut rows = 0;
    {
        let mut ins = Insert::new(tx, ctx, &helpers::HELPER)?;
        let mut link = Insert::new(tx, ctx, &helpers::HOUSEHOLD_HELPER)?;
        for h in &w.helpers {
            ins.row(h.id, helpers::helper_values(h))?;
            link.links(h.id, &h.household_ids)?;
        }
        rows += ins.rows + link.rows;
    }
    {
        let mut ins = Insert::new(tx, ctx, &helpers::TEAM_MEMBER)?;
        for m in &w.team {
            ins.row(m.id, helpers::team_values(m))?;
        }
        rows += ins.rows;
    }
    {
        let mut ins = Insert::new(tx, ctx, &projects::PROJECT)?;
        let mut link = Insert::new(tx, ctx, &projects::PROJECT_HOUSEHOLD)?;
        for p in &w.projects {
            ins.row(p.id, projects::project_values(p))?;
            link.links(p.id, &p.household_ids)?;
        }
        rows += ins.rows + link.rows;
    }
    {
        let mut ins = Insert::new(tx, ctx, &measures::MEASURE)?;
        for m in &w.measures {
            ins.row(m.id, measures::measure_values(m))?;
        }
        rows += ins.rows;
    }
    {
        let mut ins = Insert::new(tx, ctx, &funds::FUND_ENTRY)?;
        for f in &w.funds {
            ins.row(f.id, funds::fund_values(f))?;
        }
        rows += ins.rows;
    }
    {
        let mut ins = Insert::new(tx, ctx, &visits::VISIT)?;
        for v in &w.visits {
            ins.row(v.id, visits::visit_values(v))?;
        }
        rows += ins.rows;
    }
    {
        let mut ins = Insert::new(tx, ctx, &survey::SURVEY_STATE)?;
        for s in &w.surveys {
            ins.row(s.id, survey::survey_values(s))?;
        }
        rows += ins.rows;
        let mut ins = Insert::new(tx, ctx, &survey::EXIT_DECISION)?;
        for d in &w.exits {
            ins.row(d.id, survey::exit_values(d))?;
        }
        rows += ins.rows;
    }
    {
        let mut ins = Insert::new(tx, ctx, &products::PRODUCT)?;
        let mut link = Insert::new(tx, ctx, &products::PRODUCT_PRODUCER)?;
        for p in &w.products {
            ins.row(p.id, products::product_values(p))?;
            link.links(p.id, &p.producer_household_ids)?;
        }
        rows += ins.rows + link.rows;
        let mut ins = Insert::new(tx, ctx, &products::SALE)?;
        for s in &w.sales {
            ins.row(s.id, products::sale_values(s))?;
        }
        rows += ins.rows;
        let mut ins = Insert::new(tx, ctx, &products::TRAINING)?;
        for t in &w.trainings {
            ins.row(t.id, products::training_values(t))?;
        }
        rows += ins.rows;
    }
    {
        use super::monitoring_cases::{MONITORING_CASE, case_values};
        let mut ins = Insert::new(tx, ctx, &MONITORING_CASE)?;
        for c in &w.cases {
            ins.row(c.id, case_values(c))?;
        }
        rows += ins.rows;
    }
    Ok(rows)
}

impl Store {
    /// Bulk-loads a generated village (demo data) with its households and its workflow records
    /// (photos are not loaded) in one change, without per-field audit rows: one audit row per
    /// village says where the data came from. Much faster than saving one by one.
    pub fn insert_generated_with_workflow(
        &mut self,
        village: &Village,
        records: &[HouseholdRecord],
        workflow: &VillageWorkflow,
    ) -> Result<()> {
        self.change(|tx, ctx| {
            super::villages::write_village(tx, ctx, village)?;
            {
                let mut household = Insert::new(tx, ctx, &HOUSEHOLD)?;
                let mut member = Insert::new(tx, ctx, &MEMBER)?;
                let mut income = Insert::new(tx, ctx, &INCOME)?;
                for r in records {
                    household.row(r.household.id, household_values(&r.household))?;
                    for m in &r.members {
                        member.row(m.id, member_values(m))?;
                    }
                    for i in &r.incomes {
                        income.row(i.id, income_values(i))?;
                    }
                }
            }
            let workflow_rows = write_workflow(tx, ctx, workflow)?;
            let what = if workflow_rows == 0 {
                format!("{} households generated", records.len())
            } else {
                format!(
                    "{} households and {workflow_rows} workflow records generated",
                    records.len()
                )
            };
            let key = super::record::key_of(tx, &super::villages::VILLAGE, village.id)?
                .unwrap_or_default();
            super::sync_log::audit(
                tx,
                ctx.lseq,
                &super::villages::VILLAGE,
                key,
                Some(super::sync_log::NOTE_FIELD),
                &Value::Null,
                &what.into(),
            )?;
            ctx.wrote.set(true);
            Ok(true)
        })?;
        Ok(())
    }
}

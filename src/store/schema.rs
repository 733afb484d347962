//! Schema migrations. Each step is applied in its own transaction together with the new
//! `PRAGMA user_version`, so a crash leaves the file at one version or the next, never between.
//!
//! Append new steps at the end; never edit a step that has shipped.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::StoreError;

/// One migration step: a script, or (for conversions SQL cannot express) a function.
pub enum Step {
    Sql(&'static str),
    Code(fn(&Transaction) -> Result<(), StoreError>),
}

/// Identifies a Dripline database (`PRAGMA application_id`, the ASCII bytes "DRIP").
pub const APPLICATION_ID: i64 = 0x4452_4950;

/// Migration steps; step `n` (1-based) takes the file from version `n - 1` to `n`.
pub const MIGRATIONS: &[Step] = &[
    // 1: the registry.
    Step::Sql(
        r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    CREATE TABLE village (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        township TEXT NOT NULL,
        county TEXT NOT NULL,
        rural_population INTEGER,
        is_demo INTEGER NOT NULL DEFAULT 0,
        collective_income_yuan REAL NOT NULL DEFAULT 0,
        hardened_road INTEGER NOT NULL DEFAULT 0,
        clinic INTEGER NOT NULL DEFAULT 0,
        cultural_room INTEGER NOT NULL DEFAULT 0,
        network INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX village_code ON village(code) WHERE deleted = 0;

    CREATE TABLE household (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        village_id TEXT NOT NULL REFERENCES village(id),
        number TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        bank_account TEXT NOT NULL DEFAULT '',
        attribute TEXT NOT NULL,
        status TEXT NOT NULL,
        exit_year INTEGER,
        monitored_kind TEXT,
        main_cause TEXT,
        other_causes TEXT NOT NULL DEFAULT '',
        housing_safe INTEGER NOT NULL,
        water_safe INTEGER NOT NULL,
        electricity INTEGER NOT NULL,
        radio_tv INTEGER NOT NULL,
        road_hardened INTEGER NOT NULL,
        arable_land_mu REAL NOT NULL DEFAULT 0,
        forest_land_mu REAL NOT NULL DEFAULT 0,
        in_cooperative INTEGER NOT NULL DEFAULT 0,
        ecommerce_sales INTEGER NOT NULL DEFAULT 0,
        helper_name TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX household_village ON household(village_id);
    CREATE UNIQUE INDEX household_number ON household(village_id, number) WHERE deleted = 0;

    CREATE TABLE member (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        name TEXT NOT NULL,
        id_number TEXT NOT NULL,
        sex TEXT NOT NULL,
        birth_date TEXT NOT NULL,
        relation TEXT NOT NULL,
        ethnicity TEXT NOT NULL DEFAULT '',
        education TEXT NOT NULL,
        in_school INTEGER NOT NULL DEFAULT 0,
        health TEXT NOT NULL,
        disability_grade INTEGER,
        labour TEXT NOT NULL,
        work TEXT NOT NULL,
        migrant_months INTEGER NOT NULL DEFAULT 0,
        medical_insurance INTEGER NOT NULL DEFAULT 0,
        pension_insurance INTEGER NOT NULL DEFAULT 0,
        dibao INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX member_household ON member(household_id);
    CREATE INDEX member_id_number ON member(id_number);

    CREATE TABLE income_year (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        year INTEGER NOT NULL,
        wage_yuan REAL NOT NULL DEFAULT 0,
        production_yuan REAL NOT NULL DEFAULT 0,
        property_yuan REAL NOT NULL DEFAULT 0,
        transfer_yuan REAL NOT NULL DEFAULT 0,
        production_expense_yuan REAL NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX income_household_year ON income_year(household_id, year) WHERE deleted = 0;

    CREATE TABLE poverty_line (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        year INTEGER NOT NULL,
        line_yuan REAL NOT NULL
    );
    CREATE UNIQUE INDEX poverty_line_year ON poverty_line(year) WHERE deleted = 0;

    -- Every change, field by field. The value columns have no declared type (so no affinity:
    -- a phone number "0839…" stays text, never becomes a number), so
    -- undo writes back exactly what was there.
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        change_id TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        device TEXT NOT NULL,
        table_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old_value,
        new_value
    );
    CREATE INDEX audit_change ON audit_log(change_id);
    CREATE INDEX audit_record ON audit_log(record_id);
    "#,
    ),
    // 2: the six-precisions workflow. Link tables carry their own id and bookkeeping so that a
    // removed link is a tombstone a sync bundle can carry.
    Step::Sql(
        r#"
    CREATE TABLE helper (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        village_id TEXT NOT NULL REFERENCES village(id),
        name TEXT NOT NULL,
        unit TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX helper_village ON helper(village_id);

    CREATE TABLE household_helper (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        helper_id TEXT NOT NULL REFERENCES helper(id),
        household_id TEXT NOT NULL REFERENCES household(id)
    );
    CREATE UNIQUE INDEX household_helper_pair ON household_helper(helper_id, household_id) WHERE deleted = 0;
    CREATE INDEX household_helper_household ON household_helper(household_id);

    CREATE TABLE team_member (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        village_id TEXT NOT NULL REFERENCES village(id),
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        unit TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        term_start TEXT NOT NULL,
        term_end TEXT
    );
    CREATE INDEX team_member_village ON team_member(village_id);

    CREATE TABLE project (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        village_id TEXT NOT NULL REFERENCES village(id),
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        budget_yuan REAL NOT NULL DEFAULT 0,
        start_date TEXT NOT NULL,
        end_date TEXT
    );
    CREATE INDEX project_village ON project(village_id);

    CREATE TABLE project_household (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        project_id TEXT NOT NULL REFERENCES project(id),
        household_id TEXT NOT NULL REFERENCES household(id)
    );
    CREATE UNIQUE INDEX project_household_pair ON project_household(project_id, household_id) WHERE deleted = 0;
    CREATE INDEX project_household_household ON project_household(household_id);

    CREATE TABLE measure (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        kind TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        helper_id TEXT REFERENCES helper(id),
        helper_unit TEXT NOT NULL DEFAULT '',
        project_id TEXT REFERENCES project(id),
        fund_source TEXT NOT NULL,
        amount_yuan REAL NOT NULL DEFAULT 0,
        start_date TEXT NOT NULL,
        due_date TEXT NOT NULL,
        expected_income_yuan REAL NOT NULL DEFAULT 0,
        status TEXT NOT NULL
    );
    CREATE INDEX measure_household ON measure(household_id);
    CREATE INDEX measure_helper ON measure(helper_id);
    CREATE INDEX measure_project ON measure(project_id);

    CREATE TABLE fund_entry (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        village_id TEXT NOT NULL REFERENCES village(id),
        source TEXT NOT NULL,
        amount_yuan REAL NOT NULL,
        date TEXT NOT NULL,
        purpose TEXT NOT NULL,
        project_id TEXT REFERENCES project(id),
        household_id TEXT REFERENCES household(id),
        measure_id TEXT REFERENCES measure(id),
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX fund_entry_village ON fund_entry(village_id);
    CREATE INDEX fund_entry_project ON fund_entry(project_id);
    CREATE INDEX fund_entry_household ON fund_entry(household_id);

    CREATE TABLE visit (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        date TEXT NOT NULL,
        visitors TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '',
        food_ok INTEGER,
        clothing_ok INTEGER,
        education_ok INTEGER,
        medical_ok INTEGER,
        housing_ok INTEGER,
        income_year INTEGER,
        wage_yuan REAL,
        production_yuan REAL,
        property_yuan REAL,
        transfer_yuan REAL,
        production_expense_yuan REAL,
        risk_events TEXT NOT NULL DEFAULT '',
        problems TEXT NOT NULL DEFAULT '',
        next_actions TEXT NOT NULL DEFAULT '',
        is_draft INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX visit_household_date ON visit(household_id, date);

    CREATE TABLE visit_photo (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        visit_id TEXT NOT NULL REFERENCES visit(id),
        sha256 TEXT NOT NULL,
        file_name TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        bytes BLOB NOT NULL
    );
    CREATE INDEX visit_photo_visit ON visit_photo(visit_id);

    CREATE TABLE survey_state (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        year INTEGER NOT NULL,
        status TEXT NOT NULL,
        computed_identification TEXT,
        confirmed_identification TEXT,
        override_reason TEXT NOT NULL DEFAULT '',
        confirmed_by TEXT NOT NULL DEFAULT '',
        confirmed_on TEXT
    );
    CREATE UNIQUE INDEX survey_household_year ON survey_state(household_id, year) WHERE deleted = 0;

    CREATE TABLE exit_decision (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        proposed_on TEXT NOT NULL,
        proposed_year INTEGER NOT NULL,
        confirmed_on TEXT,
        confirmed_by TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX exit_decision_household ON exit_decision(household_id);

    CREATE TABLE product (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        village_id TEXT NOT NULL REFERENCES village(id),
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT '',
        season TEXT NOT NULL DEFAULT '',
        volume REAL NOT NULL DEFAULT 0,
        unit TEXT NOT NULL DEFAULT '',
        price_yuan REAL NOT NULL DEFAULT 0,
        certification TEXT NOT NULL,
        measure_id TEXT REFERENCES measure(id)
    );
    CREATE INDEX product_village ON product(village_id);

    CREATE TABLE product_producer (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        product_id TEXT NOT NULL REFERENCES product(id),
        household_id TEXT NOT NULL REFERENCES household(id)
    );
    CREATE UNIQUE INDEX product_producer_pair ON product_producer(product_id, household_id) WHERE deleted = 0;
    CREATE INDEX product_producer_household ON product_producer(household_id);

    CREATE TABLE sale (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        product_id TEXT REFERENCES product(id),
        channel TEXT NOT NULL,
        date TEXT NOT NULL,
        amount_yuan REAL NOT NULL,
        quantity REAL NOT NULL DEFAULT 0
    );
    CREATE INDEX sale_household_date ON sale(household_id, date);

    CREATE TABLE training (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        village_id TEXT NOT NULL REFERENCES village(id),
        household_id TEXT REFERENCES household(id),
        member_id TEXT REFERENCES member(id),
        person_name TEXT NOT NULL,
        course TEXT NOT NULL,
        date TEXT NOT NULL,
        hours REAL NOT NULL DEFAULT 0
    );
    CREATE INDEX training_village ON training(village_id);
    CREATE INDEX training_household ON training(household_id);
    "#,
    ),
    // 3: sync. Each field write carries a hybrid-logical-clock stamp and what it had seen
    // (sync_clock); `lseq` numbers this file's changes so that an export takes "everything since
    // the last acknowledged one". Conflicts keep the losing value of concurrent edits; bundles
    // already imported are remembered by hash; a county keeps the devices it accepts.
    Step::Sql(
        r#"
    ALTER TABLE audit_log ADD COLUMN lseq INTEGER;
    CREATE INDEX audit_lseq ON audit_log(lseq);

    CREATE TABLE sync_clock (
        table_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        field TEXT NOT NULL,
        hlc TEXT NOT NULL,
        seen TEXT NOT NULL,
        lseq INTEGER NOT NULL,
        PRIMARY KEY (table_name, record_id, field)
    ) WITHOUT ROWID;
    CREATE INDEX sync_clock_lseq ON sync_clock(lseq);

    CREATE TABLE sync_conflict (
        table_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        field TEXT NOT NULL,
        loser_hlc TEXT NOT NULL,
        loser_value,
        winner_hlc TEXT NOT NULL,
        winner_value,
        detected_at TEXT NOT NULL,
        resolved INTEGER NOT NULL DEFAULT 0,
        lseq INTEGER NOT NULL,
        PRIMARY KEY (table_name, record_id, field, loser_hlc)
    );
    CREATE INDEX sync_conflict_lseq ON sync_conflict(lseq);

    CREATE TABLE sync_peer (
        device TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL,
        last_import_at TEXT NOT NULL
    );

    CREATE TABLE sync_bundle (
        sha256 TEXT PRIMARY KEY,
        direction TEXT NOT NULL,
        device TEXT NOT NULL,
        village_code TEXT NOT NULL,
        seq_from INTEGER NOT NULL,
        seq_to INTEGER NOT NULL,
        at TEXT NOT NULL,
        file_name TEXT NOT NULL DEFAULT ''
    );

    CREATE TABLE county_device (
        device TEXT PRIMARY KEY,
        village_code TEXT NOT NULL,
        verifying_key TEXT NOT NULL,
        recipient TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0,
        registered_at TEXT NOT NULL
    );

    CREATE TABLE remote_audit (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        change_id TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        table_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old_value,
        new_value,
        lseq INTEGER NOT NULL,
        PRIMARY KEY (device, seq)
    );
    CREATE INDEX remote_audit_lseq ON remote_audit(lseq);

    CREATE TABLE sync_record_village (
        table_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        village_code TEXT NOT NULL,
        PRIMARY KEY (table_name, record_id)
    ) WITHOUT ROWID;
    CREATE INDEX sync_record_village_code ON sync_record_village(village_code);
    "#,
    ),
    // 4: sync bookkeeping that costs less than the data (issue 10): every synced table is rebuilt
    // with an integer key beside its UUID and one stamp per record; field clocks only where a
    // field changed on its own; a change log with an audit keyed by integers; the county's
    // village attribution is derived from the records. See `sync_bookkeeping.rs`.
    Step::Code(super::sync_bookkeeping::migrate),
    // 5: the townships' three haves for the county exit 一低三有 (issue 14), kept in the county
    // database only: townships are not village records and do not travel in bundles.
    Step::Sql(
        r#"
    CREATE TABLE township_facilities (
        township TEXT PRIMARY KEY,
        central_school INTEGER NOT NULL DEFAULT 0,
        health_centre INTEGER NOT NULL DEFAULT 0,
        service_centre INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    );
    "#,
    ),
    // 6 (issue 13): membership by year — members' join and leave dates and reasons, today's
    // members from their household's first income year; households leaving the registry.
    Step::Code(super::migrate_issue13::membership_by_year),
    // 7 (county-headlines): each village's six-precisions headline kept in the county database
    // (issue 14), tagged with the change number it was computed at and the date it was evaluated
    // on, so the county table is read rather than recomputed; see `headlines.rs`.
    Step::Sql(
        r#"
    CREATE TABLE village_headline (
        village_id TEXT PRIMARY KEY,
        change INTEGER NOT NULL,
        evaluated_on TEXT NOT NULL,
        figures TEXT NOT NULL
    );
    "#,
    ),
    // 8 (issue 13, item 2): the household's helper is the register's assignment; each free-text
    // helper name naming one helper of the village becomes that assignment, others stay as a note.
    Step::Code(super::migrate_issue13::helper_from_register),
    // 9 (issue 11): the tamper-evident audit log: every audit and change row carries the hash of
    // its content and of the row before it; existing rows are chained in order. See
    // `audit_chain.rs`.
    Step::Code(super::audit_chain::migrate),
    // 10 (county-received): every bundle a county database received or refused (issue 14), so
    // that the county sees which villages have sent what and which are silent. A log, not a
    // record: neither audited nor sent in a bundle. A refusal is written on its own after the
    // refused import rolled back; `village_code` and the header fields are empty when the file's
    // header could not be read.
    Step::Sql(
        r#"
    CREATE TABLE bundle_receipt (
        n INTEGER PRIMARY KEY,
        received_at TEXT NOT NULL,
        file_name TEXT NOT NULL,
        file_sha256 TEXT NOT NULL,
        outcome TEXT NOT NULL,
        village_code TEXT,
        device TEXT,
        created_at TEXT,
        seq_from INTEGER,
        seq_to INTEGER,
        records INTEGER,
        reason_code TEXT,
        reason_zh TEXT,
        reason_en TEXT
    );
    CREATE INDEX bundle_receipt_village ON bundle_receipt(village_code, received_at);
    "#,
    ),
    // 11 (county-settings-tag): a kept headline names the settings it was computed under (a tag
    // of the poverty-line table and the thresholds, `rules::settings::settings_tag`), so that a
    // change of a line or a threshold makes every kept figure stale. Rows kept before have no
    // tag and are computed again once.
    Step::Sql(
        r#"
    ALTER TABLE village_headline ADD COLUMN settings TEXT NOT NULL DEFAULT '';
    "#,
    ),
    // 12 (county-township-records): the townships' three haves become records written through
    // the audited write path (a key and UUID, the bookkeeping columns, a tombstone), so that a
    // clerk's tick is audited and undoable (issue 14). Still county data, never in a bundle.
    Step::Code(super::townships::migrate),
    // (clash, issue 11): a natural key two laptops both took before they exchanged bundles
    // (household number 121 of one village, one household's income of one year, a village
    // code…) is kept as a clash for a person to resolve, not refused. Every live record keeps its
    // key; a local, never-synced flag `clash` marks all but one record of each clashing group
    // (the lowest UUID, so every device flags the same ones whatever order bundles came in). The
    // unique indexes hold over the unflagged records, so every record nobody has to look at is
    // still unique. See `store/clashes.rs`.
    Step::Sql(
        r#"
    ALTER TABLE village ADD COLUMN clash INTEGER NOT NULL DEFAULT 0;
    DROP INDEX IF EXISTS village_code;
    CREATE UNIQUE INDEX village_code ON village(code) WHERE deleted = 0 AND clash = 0;
    CREATE INDEX village_clash ON village(code) WHERE clash = 1;
    ALTER TABLE household ADD COLUMN clash INTEGER NOT NULL DEFAULT 0;
    DROP INDEX IF EXISTS household_number;
    CREATE UNIQUE INDEX household_number ON household(village_id, number) WHERE deleted = 0 AND clash = 0;
    CREATE INDEX household_clash ON household(village_id, number) WHERE clash = 1;
    ALTER TABLE income_year ADD COLUMN clash INTEGER NOT NULL DEFAULT 0;
    DROP INDEX IF EXISTS income_household_year;
    CREATE UNIQUE INDEX income_household_year ON income_year(household_id, year) WHERE deleted = 0 AND clash = 0;
    CREATE INDEX income_year_clash ON income_year(household_id, year) WHERE clash = 1;
    ALTER TABLE household_helper ADD COLUMN clash INTEGER NOT NULL DEFAULT 0;
    DROP INDEX IF EXISTS household_helper_pair;
    CREATE UNIQUE INDEX household_helper_pair ON household_helper(helper_id, household_id) WHERE deleted = 0 AND clash = 0;
    CREATE INDEX household_helper_clash ON household_helper(helper_id, household_id) WHERE clash = 1;
    ALTER TABLE project_household ADD COLUMN clash INTEGER NOT NULL DEFAULT 0;
    DROP INDEX IF EXISTS project_household_pair;
    CREATE UNIQUE INDEX project_household_pair ON project_household(project_id, household_id) WHERE deleted = 0 AND clash = 0;
    CREATE INDEX project_household_clash ON project_household(project_id, household_id) WHERE clash = 1;
    ALTER TABLE survey_state ADD COLUMN clash INTEGER NOT NULL DEFAULT 0;
    DROP INDEX IF EXISTS survey_household_year;
    CREATE UNIQUE INDEX survey_household_year ON survey_state(household_id, year) WHERE deleted = 0 AND clash = 0;
    CREATE INDEX survey_state_clash ON survey_state(household_id, year) WHERE clash = 1;
    ALTER TABLE product_producer ADD COLUMN clash INTEGER NOT NULL DEFAULT 0;
    DROP INDEX IF EXISTS product_producer_pair;
    CREATE UNIQUE INDEX product_producer_pair ON product_producer(product_id, household_id) WHERE deleted = 0 AND clash = 0;
    CREATE INDEX product_producer_clash ON product_producer(product_id, household_id) WHERE clash = 1;
    "#,
    ),
    // 14 (issue 16): the income-standard table per province and year — the poverty line to
    // 2020 and the monitoring threshold from 2021, each with its source; default thresholds for a
    // file that has none. See `settings.rs`.
    Step::Code(super::settings::migrate_thresholds),
    // 15 (issue 16): monitoring cases, one record per case with each step's date and person,
    // synced through their household; today's monitored households become open cases with the
    // date their status was set. See `monitoring_cases.rs`.
    Step::Code(super::monitoring_cases::migrate),
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the file up to `target` (normally [`latest_version`]), one transaction per step.
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current < 0 {
        return Err(StoreError::BadVersion {
            path: conn.path().unwrap_or_default().into(),
            found: current,
        });
    }
    if current > latest_version() {
        return Err(StoreError::TooNew {
            found: current,
            supported: latest_version(),
        });
    }
    let target = target.min(latest_version());
    if current >= target {
        return Ok(());
    }
    // A step that rebuilds a table drops and renames tables that others reference: foreign keys
    // are off while it runs (they cannot be switched inside a transaction) and checked before
    // each step commits.
    let foreign_keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = (|| {
        let mut rebuilt = false;
        for version in current..target {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            match &MIGRATIONS[version as usize] {
                Step::Sql(sql) => tx.execute_batch(sql)?,
                Step::Code(step) => {
                    step(&tx)?;
                    rebuilt = true;
                }
            }
            let violations: i64 =
                tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
            if violations > 0 {
                return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                    Some(format!(
                        "migration {} left {violations} broken references",
                        version + 1
                    )),
                )));
            }
            tx.pragma_update(None, "user_version", version + 1)?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            tx.commit()?;
        }
        // A rebuild leaves the old tables' pages free: give them back when they are many.
        if rebuilt {
            let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
            let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            if free > 256 && free * 4 > pages {
                conn.execute_batch("VACUUM")?;
            }
        }
        Ok(())
    })();
    conn.pragma_update(None, "foreign_keys", foreign_keys)?;
    result
}

//! An open database and the village shown from it: what the window works on between frames.
//! The session chooses the village (the first of the database until another is chosen), keeps its
//! [`VillageView`] fresh after every change, and counts the refreshes so that caches built from
//! the view (chart textures) know when they are stale. Changes go through [`Session::apply`]
//! (`edit.rs`).

use chrono::NaiveDate;
use uuid::Uuid;

use super::view::VillageView;
use crate::model::{Thresholds, TownshipFacilities, Village};
use crate::rules::income::PovertyLines;
use crate::store::audit_chain::ChainReport;
use crate::store::bundle_receipts::BundleReceipt;
use crate::store::{ChangeId, Store, StoreError};

pub struct Session {
    pub store: Store,
    /// The village being shown; `None` while the database holds no village.
    village_id: Option<Uuid>,
    /// Every village of the database, in code order: more than one is a county database.
    pub villages: Vec<Village>,
    /// The shown village, evaluated at its date.
    pub view: Option<VillageView>,
    /// The county settings, also when there is no village yet.
    pub lines: PovertyLines,
    pub thresholds: Thresholds,
    /// The townships' three haves recorded in a county database (一低三有).
    pub township_facilities: Vec<TownshipFacilities>,
    /// The bundles a county database received or refused, oldest first (a laptop logs the
    /// return bundles it refused).
    pub bundle_receipts: Vec<BundleReceipt>,
    /// How many natural-key clashes wait for a person (household 121 made on two laptops…):
    /// every screen says so until they are resolved on the sync screen.
    pub clash_count: usize,
    /// The clock's date at the last refresh: what "silent for N days" counts from.
    pub clock_today: NaiveDate,
    /// Bumped by every refresh: what caches derived from the view key on.
    pub generation: u64,
    /// The audit log's hash chain as verified when the database was opened (`None` if it could
    /// not be read). Changes made in the window extend the chain, so it stays as verified.
    pub audit_chain: Option<ChainReport>,
    /// Changes made in this session, newest last: what undo reverts.
    pub(super) undo_stack: Vec<ChangeId>,
}

impl Session {
    /// Opens a session on `store`, showing its first village.
    pub fn new(store: Store, clock_today: NaiveDate) -> Result<Session, StoreError> {
        let mut session = Session {
            store,
            village_id: None,
            villages: Vec::new(),
            view: None,
            lines: PovertyLines::new(Vec::new()),
            thresholds: Thresholds::default(),
            township_facilities: Vec::new(),
            bundle_receipts: Vec::new(),
            clash_count: 0,
            clock_today,
            generation: 0,
            undo_stack: Vec::new(),
            audit_chain: None,
        };
        session.audit_chain = session.store.verify_audit_chain().ok();
        session.refresh(clock_today)?;
        Ok(session)
    }

    /// A county database: it holds more than one village.
    pub fn is_county(&self) -> bool {
        // Two village records with one code (made on two laptops before they synced) are one
        // village with a clash to merge, not a county.
        let mut codes: Vec<&str> = self.villages.iter().map(|v| v.code.as_str()).collect();
        codes.dedup();
        codes.len() > 1
    }

    /// The village being shown.
    pub fn village_id(&self) -> Option<Uuid> {
        self.village_id
    }

    /// Shows another village of the database (a county switching villages).
    pub fn show_village(&mut self, id: Uuid, clock_today: NaiveDate) -> Result<(), StoreError> {
        self.village_id = Some(id);
        self.refresh(clock_today)
    }

    /// Reads the view again after a change. A shown village that is gone (or none chosen yet)
    /// gives way to the first village of the database.
    pub fn refresh(&mut self, clock_today: NaiveDate) -> Result<(), StoreError> {
        let villages = self.store.villages()?;
        if !villages.iter().any(|v| Some(v.id) == self.village_id) {
            self.village_id = villages.first().map(|v| v.id);
        }
        self.villages = villages;
        self.lines = self.store.poverty_lines()?;
        self.thresholds = self.store.thresholds()?;
        self.township_facilities = self.store.township_facilities()?;
        self.clock_today = clock_today;
        self.bundle_receipts = self.store.bundle_receipts()?;
        self.clash_count = self.store.clashes()?.len();
        self.view = match self.village_id {
            Some(id) => Some(VillageView::load(&self.store, id, clock_today)?),
            None => None,
        };
        if self.is_county()
            && let Some(view) = &self.view
        {
            // Whatever changed the shown village (a save, an undo, a survey import), the county
            // table then reads its fresh figures instead of computing them again.
            super::county::keep_headline_of(&mut self.store, view)?;
        }
        self.generation += 1;
        Ok(())
    }
}

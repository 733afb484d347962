//! Dripline (精准扶贫 · 村级工作台): an offline workbench for village poverty-alleviation teams.
//!
//! Layers, each knowing only the ones above it in this list:
//! - [`assets`]: files compiled in (the CJK font);
//! - [`model`]: plain data of the registry; [`files`]: writing a file whole or not at all;
//! - [`rules`]: pure policy (ID numbers, incomes, exit checklists, data-quality checks);
//! - [`store`]: the local SQLite database (schema, migrations, audit log);
//! - [`demo`]: a deterministic demo village or county;
//! - [`sync`]: signed, encrypted bundles between village devices and the county, and their merge;
//! - [`io`]: spreadsheets in and out, charts, printed cards;
//! - [`workspace`]: the application core both faces share — data paths, a village evaluated at
//!   its date, data actions, long jobs and their reports;
//! - [`net`]: the same bundles over HTTPS — the county's sync server and the laptop's client;
//! - [`cli`] and [`ui`]: the two faces of the same binary (see `ARCHITECTURE.md`).

pub mod assets;
pub mod cli;
pub mod demo;
pub mod files;
pub mod i18n;
pub mod io;
pub mod model;
pub mod net;
pub mod rules;
pub mod store;
pub mod sync;
pub mod ui;
pub mod workspace;

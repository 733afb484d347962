//! The application core the window ([`crate::ui`]) and the command line ([`crate::cli`]) share:
//! where the data lives, the one assembly of a village at its evaluation date ([`VillageView`]),
//! the data actions and how they reach the store, and the long jobs with their reports in words.
//! Nothing here draws or prints: the two faces show what this layer returns.

pub mod bundles;
pub mod county;
pub mod date;
pub mod device;
pub mod edit;
pub mod export;
pub mod paths;
pub mod prefs;
pub mod print;
pub mod received;
pub mod session;
pub mod survey;
pub mod view;

pub use date::{clock_today, evaluation_date};
pub use prefs::Prefs;
pub use view::VillageView;

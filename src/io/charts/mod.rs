//! Charts of a household and of a village (and of each village of a county), drawn with plotters
//! into an RGB buffer for the window, or saved as PNG or SVG.
//!
//! - [`data`]: the figures each chart shows, computed from plain records (no drawing);
//! - [`render`]: a chart and its figures → pixels, PNG bytes or an SVG document, with titles,
//!   axis labels and legends in the user's language.

pub mod data;
pub mod render;

pub use render::{Chart, ChartError, HouseholdChart, VillageChart};

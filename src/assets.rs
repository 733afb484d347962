//! Files compiled into the binary. The CJK font is here, below every layer that draws text (the
//! window, the charts, the printed cards), so each uses the one embedded copy: egui's default fonts
//! have no Chinese glyphs and a village laptop may have no system CJK font either. It is a subset
//! of Noto Sans CJK SC (OFL-1.1); see `assets/fonts/README.md`.

/// The subset CJK font (OpenType with CFF outlines).
pub const CJK_FONT: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-Dripline.otf");

//! A stored visit photo in a window of its own, read from the store when opened.

use std::sync::Arc;

use eframe::egui;
use uuid::Uuid;

use super::action::Action;
use crate::i18n::Lang;

/// A stored photo being looked at.
pub struct OpenedPhoto {
    pub id: Uuid,
    pub file_name: String,
    pub bytes: Arc<[u8]>,
}

/// The photo window; closing it asks for `Action::ClosePhoto`.
pub fn photo_ui(ui: &mut egui::Ui, lang: Lang, photo: &OpenedPhoto, actions: &mut Vec<Action>) {
    let mut open = true;
    egui::Window::new(photo.file_name.as_str())
        .open(&mut open)
        .collapsible(false)
        .default_size([640.0, 480.0])
        .show(ui.ctx(), |ui| {
            if ui.button(lang.pick("关闭", "Close")).clicked() {
                actions.push(Action::ClosePhoto);
            }
            // Small photos are shown at their size, large ones scaled down to the window.
            ui.add(
                egui::Image::from_bytes(
                    format!("bytes://photo/{}", photo.id),
                    egui::load::Bytes::Shared(photo.bytes.clone()),
                )
                .max_size(egui::vec2(960.0, 640.0))
                .shrink_to_fit(),
            );
        });
    if !open {
        actions.push(Action::ClosePhoto);
    }
}

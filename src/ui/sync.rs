//! Sync (数据同步): this laptop's key for the county to register, the county key that encrypts
//! what leaves the village, the changes waiting to travel, the last export and import, bundles
//! written and read (in the background, with progress), and the conflicts a person resolves.

use crate::ui::dialogs::{ChooserKind, FileName, FilePurpose, FileRequest};
use std::path::PathBuf;

use eframe::egui::{self, RichText};
use rusqlite::types::Value;

use super::action::Action;
use super::action::DataAction;
use super::jobs::Job;
use super::widgets::{ERROR_RED, OK_GREEN, WARN_AMBER};
use crate::i18n::Lang;
use crate::sync::status::{Conflict, Resolution};
use crate::workspace::bundles::SyncView;

#[derive(Default)]
pub struct SyncScreen {
    county_key: String,
    full: bool,
    /// The new number typed for a clashing household, by its id (empty: the suggested one).
    renumber: std::collections::HashMap<uuid::Uuid, String>,
    /// The record whose "keep only this one" waits for a second click (it deletes the others,
    /// a household with its members).
    confirm_keep: Option<uuid::Uuid>,
}

/// A stored value as a person reads it.
fn value_text(value: &Value, lang: Lang) -> String {
    match value {
        Value::Null => lang.pick("（空）", "(empty)").to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => r.to_string(),
        Value::Text(t) => t.clone(),
        Value::Blob(b) => format!("{} bytes", b.len()),
    }
}

/// The kind of record a conflict is on, in words (the store's table names mean nothing to a
/// village team).
fn record_kind(table: &str, lang: Lang) -> String {
    let (zh, en) = match table {
        "village" => ("村情", "Village"),
        "household" => ("农户", "Household"),
        "member" => ("家庭成员", "Member"),
        "income_year" => ("年度收入", "Yearly income"),
        "helper" | "household_helper" => ("帮扶责任人", "Helper"),
        "team_member" => ("工作队员", "Team member"),
        "project" | "project_household" => ("项目", "Project"),
        "measure" => ("帮扶措施", "Measure"),
        "fund_entry" => ("资金", "Fund entry"),
        "visit" | "visit_photo" => ("走访记录", "Visit"),
        "survey_state" => ("入户调查", "Survey"),
        "exit_decision" => ("脱贫认定", "Exit decision"),
        "product" | "product_producer" => ("特色产品", "Product"),
        "sale" => ("销售记录", "Sale"),
        "training" => ("培训记录", "Training"),
        "poverty_line" => ("扶贫标准", "Poverty line"),
        "monitoring_case" => ("监测对象", "Monitoring case"),
        other => return other.to_string(),
    };
    lang.pick(zh, en).to_string()
}

impl SyncScreen {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        view: Option<&SyncView>,
        running: Option<&Job>,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        let Some(view) = view else {
            ui.label(lang.pick("正在读取同步状态…", "Reading the sync state…"));
            return actions;
        };
        let busy = running.is_some();
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading(lang.pick("本机", "This laptop"));
            ui.label(lang.pick(
                "请把下面这一行发给县扶贫办登记本机；未登记的设备发出的数据包会被县里拒收。",
                "Send this line to the county to register this laptop; bundles from unregistered devices are refused.",
            ));
            if ui.button(lang.pick("复制本机标识", "Copy this laptop's key")).clicked() {
                ui.ctx().copy_text(view.device_line.clone());
            }
            // The line is long: it wraps rather than pushing the screen sideways.
            ui.add(egui::Label::new(RichText::new(&view.device_line).monospace()).wrap());
            if view.is_county {
                ui.label(lang.pick(
                    "这是县级数据库：导入各村数据包，并用命令行 dripline county return 为各村生成返回包。",
                    "This is a county database: it imports village bundles; return bundles are written with dripline county return.",
                ));
            } else {
                match &view.county_line {
                    Some(line) => {
                        ui.label(RichText::new(format!("{}{line}", lang.pick("县级密钥：", "County key: "))).color(OK_GREEN));
                    }
                    None => {
                        ui.label(RichText::new(lang.pick(
                            "⚠ 尚未设置县级密钥：导出的数据包不加密，个人信息将以明文传送。",
                            "⚠ No county key: exported bundles are not encrypted and personal data travels in the clear.",
                        )).color(WARN_AMBER));
                    }
                }
                ui.horizontal(|ui| {
                    let label_id = ui.label(lang.pick("县级密钥", "County key")).id;
                    ui.add(egui::TextEdit::singleline(&mut self.county_key).hint_text("dripline-county:…").desired_width(420.0))
                        .labelled_by(label_id);
                    if ui.button(lang.pick("设置密钥", "Set the key")).clicked() && !self.county_key.trim().is_empty() {
                        actions.push(Action::Data(DataAction::SetCountyKey(self.county_key.trim().to_string())));
                    }
                });
            }

            ui.add_space(8.0);
            ui.separator();
            ui.heading(lang.pick("备份与恢复", "Backup and restore"));
            ui.label(match (&view.last_backup, lang) {
                (Some((day, days)), Lang::Zh) => format!("上次备份：{day}（{days} 天前）"),
                (Some((day, days)), Lang::En) => format!("Last backup: {day} ({days} days ago)"),
                (None, _) => lang.pick("上次备份：还没有", "Last backup: none yet").to_string(),
            });
            if let Some(warning) = view.backup_warning(lang) {
                ui.label(RichText::new(warning).color(WARN_AMBER));
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!busy, egui::Button::new(lang.pick("备份…", "Back up…")))
                    .clicked()
                {
                    let title = lang.pick("选择备份存放的文件夹（如U盘）", "Choose the folder for the backup (a USB stick)");
                    let request = FileRequest::new(ChooserKind::Folder, title, FilePurpose::Backup);
                    actions.push(Action::ChooseFile(request));
                }
                if ui
                    .add_enabled(!busy, egui::Button::new(lang.pick("恢复…", "Restore…")))
                    .clicked()
                {
                    let title = lang.pick("选择要恢复的备份文件", "Choose the backup to restore");
                    let request = FileRequest::new(ChooserKind::Open, title, FilePurpose::Restore)
                        .filter(lang.pick("备份", "Backup"), &["sqlite"]);
                    actions.push(Action::ChooseFile(request));
                }
            });
            ui.label(lang.pick(
                "备份可在程序运行时进行；恢复时当前数据库会改名保留，不会删除；其他村的备份不能恢复到本村。",
                "A backup can be made while the app runs; a restore keeps the current database under a new name, never deletes it, and refuses another village's backup.",
            ));

            ui.add_space(8.0);
            ui.separator();
            ui.heading(lang.pick("数据包", "Bundles"));
            let s = &view.status;
            if s.acked_seq == 0 {
                ui.label(lang.pick(
                    "县里还没有确认过本机的数据包：下一次导出包含全部数据。",
                    "The county has not acknowledged a bundle from this laptop yet: the next export carries everything.",
                ));
            } else {
                ui.label(match lang {
                    Lang::Zh => format!("待发送的修改：{} 条记录（本机修改编号 {}，县里已确认到 {}）", s.pending_records, s.last_seq, s.acked_seq),
                    Lang::En => format!("Changes waiting: {} records (change number {}, acknowledged up to {})", s.pending_records, s.last_seq, s.acked_seq),
                });
            }
            let event = |label: &str, e: &Option<crate::sync::status::BundleEvent>| match e {
                Some(e) => format!("{label}{} · {}", e.at, e.file_name),
                None => format!("{label}{}", lang.pick("还没有", "none yet")),
            };
            ui.label(event(lang.pick("上次导出：", "Last export: "), &s.last_export));
            ui.label(event(lang.pick("上次导入：", "Last import: "), &s.last_import));
            if !s.pending_exports.is_empty() {
                ui.label(RichText::new(match lang {
                    Lang::Zh => format!("已导出、县里尚未确认的数据包：{} 个（下次导出会再带上其中的修改）", s.pending_exports.len()),
                    Lang::En => format!("Bundles exported and not yet acknowledged by the county: {} (the next export carries their changes again)", s.pending_exports.len()),
                }).color(WARN_AMBER));
                for e in &s.pending_exports {
                    ui.label(format!("  {} · {} ({} {}–{})", e.at, e.file_name, lang.pick("变更号", "changes"), e.seq_from, e.seq_to));
                }
            }
            if !s.refused.is_empty() {
                ui.label(RichText::new(match lang {
                    Lang::Zh => format!("被拒收的数据包：{} 个（最近的在前；其内容均未合并）", s.refused.len()),
                    Lang::En => format!("Refused bundles: {} (newest first; nothing of them was merged)", s.refused.len()),
                }).color(ERROR_RED));
                for r in &s.refused {
                    let reason = r.reason.as_ref().map(|r| lang.pick(&r.zh, &r.en).to_string()).unwrap_or_default();
                    ui.add(egui::Label::new(format!("  {} · {}：{reason}", r.received_at, r.file_name)).wrap());
                }
            }
            ui.horizontal(|ui| {
                if !view.is_county {
                    ui.checkbox(&mut self.full, lang.pick("完整导出（不只是新修改）", "Full export (not only new changes)"));
                    let label = lang.pick("导出数据包…", "Export a bundle…");
                    if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
                        let purpose = FilePurpose::ExportBundle { full: self.full };
                        let request = FileRequest::new(ChooserKind::Save, label, purpose)
                            .name(FileName::Dated { kind: None, ext: "dripline" })
                            .filter(lang.pick("数据包", "Bundle"), &["dripline"]);
                        actions.push(Action::ChooseFile(request));
                    }
                }
                let label = lang.pick("导入数据包…", "Import bundles…");
                if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
                    let request = FileRequest::new(ChooserKind::OpenMany, label, FilePurpose::ImportBundles)
                        .filter(lang.pick("数据包", "Bundle"), &["dripline"]);
                    actions.push(Action::ChooseFile(request));
                }
            });
            if !view.is_county && let Some(url) = &view.server_url {
                ui.horizontal(|ui| {
                    let label = lang.pick("同步", "Sync now");
                    if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
                        actions.push(Action::SyncNow);
                    }
                    ui.label(match lang {
                        Lang::Zh => format!("通过网络与县里同步服务器 {url} 交换数据包（没有网络时仍可用 U 盘导出、导入）"),
                        Lang::En => format!("Exchange bundles with the county sync server {url} over the network (without a connection, export and import on a USB stick as before)"),
                    });
                });
            }
            if let Some(job) = running {
                job.running_ui(ui, lang);
            }

            ui.add_space(8.0);
            ui.separator();
            let open: Vec<&Conflict> = view.conflicts.iter().filter(|c| !c.resolved).collect();
            ui.heading(match lang {
                Lang::Zh => format!("待处理的冲突（{}）", open.len()),
                Lang::En => format!("Conflicts to resolve ({})", open.len()),
            });
            if open.is_empty() {
                ui.label(lang.pick(
                    "没有冲突。两台电脑改了同一项时，较新的值生效，另一个值会列在这里由您决定。",
                    "No conflicts. When two laptops change the same field, the newer value wins and the other is listed here for you to decide.",
                ));
            }
            for conflict in open {
                ui.group(|ui| {
                    ui.label(format!(
                        "{} · {}{} · {}",
                        record_kind(&conflict.key.table, lang),
                        lang.pick("字段 ", "field "),
                        conflict.key.field,
                        conflict.key.record_id
                    ));
                    ui.label(format!("{}{}", lang.pick("现在的值：", "Current value: "), value_text(&conflict.current_value, lang)));
                    ui.label(RichText::new(format!("{}{}", lang.pick("另一台电脑的值：", "Other laptop's value: "), value_text(&conflict.loser_value, lang))).color(ERROR_RED));
                    ui.horizontal(|ui| {
                        if ui.button(lang.pick("保留现在的值", "Keep the current value")).clicked() {
                            actions.push(Action::Data(DataAction::ResolveConflict { key: conflict.key.clone(), resolution: Resolution::KeepCurrent }));
                        }
                        if ui.button(lang.pick("改用另一台电脑的值", "Use the other value")).clicked() {
                            actions.push(Action::Data(DataAction::ResolveConflict { key: conflict.key.clone(), resolution: Resolution::KeepOther }));
                        }
                    });
                });
            }
            clashes_ui(
                ui,
                lang,
                view,
                &mut self.renumber,
                &mut self.confirm_keep,
                &mut actions,
            );
        });
        actions
    }
}

/// The natural-key clashes (two laptops both gave household number 121…), each with its
/// records and the resolution it allows: renumbering a household, or keeping one record.
fn clashes_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    view: &SyncView,
    renumber: &mut std::collections::HashMap<uuid::Uuid, String>,
    confirm_keep: &mut Option<uuid::Uuid>,
    actions: &mut Vec<Action>,
) {
    use crate::i18n::Localize;
    use crate::store::clashes::ClashKind;
    ui.add_space(8.0);
    ui.separator();
    ui.heading(match lang {
        Lang::Zh => format!("编号重复（{}）", view.clashes.len()),
        Lang::En => format!("Clashes to resolve ({})", view.clashes.len()),
    });
    if view.clashes.is_empty() {
        ui.label(lang.pick(
            "没有编号重复。两台电脑给不同的户用了同一个户编号（或同一年的收入录了两次）时，两条记录都会保留并列在这里，由您改编号或只保留一条。",
            "No clashes. When two laptops give one household number to two households (or enter one year's income twice), both records are kept and listed here for you to renumber one or keep one.",
        ));
        return;
    }
    for clash in &view.clashes {
        ui.group(|ui| {
            ui.label(RichText::new(clash.localize(lang)).color(ERROR_RED));
            for record in &clash.records {
                ui.horizontal(|ui| {
                    ui.label(record.localize(lang));
                    let keep = match clash.kind {
                        ClashKind::VillageCode => Some(lang.pick(
                            "保留这个村（另一个村的农户等并入此村）",
                            "Keep this village (the other one's households and records move into it)",
                        )),
                        ClashKind::HouseholdNumber => Some(lang.pick(
                            "只保留这一户（删除另一户及其成员）",
                            "Keep only this household (delete the other with its members)",
                        )),
                        _ => Some(lang.pick("只保留这一条", "Keep only this one")),
                    };
                    let Some(label) = keep else {
                        return;
                    };
                    if *confirm_keep != Some(record.id) {
                        if ui.button(label).clicked() {
                            *confirm_keep = Some(record.id);
                        }
                        return;
                    }
                    // The second click deletes the other records (undoable, but a household
                    // goes with its members): said in red, with a way back.
                    let confirm = match clash.kind {
                        ClashKind::VillageCode => lang.pick(
                            "确认合并为一个村（可撤销）",
                            "Confirm: merge into one village (undoable)",
                        ),
                        _ => lang.pick(
                            "确认删除另外的记录（可撤销）",
                            "Confirm: delete the other records (undoable)",
                        ),
                    };
                    if ui.button(RichText::new(confirm).color(ERROR_RED)).clicked() {
                        *confirm_keep = None;
                        actions.push(Action::Data(DataAction::KeepClashRecord {
                            kind: clash.kind,
                            id: record.id,
                        }));
                    }
                    if ui.button(lang.pick("取消", "Cancel")).clicked() {
                        *confirm_keep = None;
                    }
                });
            }
            match (clash.kind, clash.flagged(), &clash.suggested_number) {
                (ClashKind::HouseholdNumber, Some(flagged), Some(next)) => {
                    ui.horizontal(|ui| {
                        let label_id = ui.label(lang.pick("新户编号", "New household number")).id;
                        let text = renumber.entry(flagged.id).or_default();
                        ui.add(
                            egui::TextEdit::singleline(text)
                                .hint_text(next.as_str())
                                .desired_width(120.0),
                        )
                        .labelled_by(label_id);
                        let button = match lang {
                            Lang::Zh => format!("改编号：{}", flagged.label),
                            Lang::En => format!("Renumber {}", flagged.label),
                        };
                        if ui.button(button).clicked() {
                            let number = if text.trim().is_empty() {
                                next.clone()
                            } else {
                                text.trim().to_string()
                            };
                            actions.push(Action::Data(DataAction::RenumberHousehold {
                                id: flagged.id,
                                number,
                            }));
                        }
                    });
                }
                (ClashKind::VillageCode, ..) => {
                    ui.label(lang.pick(
                        "两台电脑各建了一次本村。保留其中一个：另一个村的农户、帮扶人、项目和资金都并入它，不删除任何农户；之后若有户编号重复，会列在这里。",
                        "Two laptops each created this village. Keep one: the other's households, helpers, projects and funds move into it, and no household is deleted; household numbers that then clash are listed here.",
                    ));
                }
                (
                    ClashKind::HelperLink | ClashKind::ProjectLink | ClashKind::ProducerLink,
                    ..,
                ) => {
                    ui.label(lang.pick(
                        "同一关联在两台电脑上各录了一次，两条内容相同（列表中只算一次）；保留任意一条即可，不会丢失信息。",
                        "The same link was entered on two laptops; both say the same thing (lists count it once). Keep either one: nothing is lost.",
                    ));
                }
                _ => {}
            }
        });
    }
}

/// A bundle path with the `.dripline` extension added when the chosen name has none.
pub fn bundle_path(path: PathBuf) -> PathBuf {
    if path.extension().is_some() {
        path
    } else {
        path.with_extension("dripline")
    }
}

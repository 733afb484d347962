//! The county window's sync server (`dripline serve` from the window): started and stopped on
//! the county screen's 同步服务器 panel, which shows where laptops reach it, the county key line
//! to give them, and its request log as it grows.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use eframe::egui::{self, RichText};

use super::action::Action;
use super::widgets::{ERROR_RED, OK_GREEN};
use crate::i18n::Lang;
use crate::net::NetError;
use crate::net::server::{self, DEFAULT_PER_MINUTE, RunningServer, ServeOptions};

/// The log lines kept for the panel (the newest).
const LOG_LINES: usize = 500;

/// A sync server the window started; stopped when dropped.
pub struct ServerPanel {
    running: RunningServer,
    log: Arc<Mutex<VecDeque<String>>>,
}

impl ServerPanel {
    /// Starts the server on the county database `db`; each logged request repaints `ctx`.
    pub fn start(
        db: &Path,
        listen: SocketAddr,
        url: Option<String>,
        ctx: egui::Context,
    ) -> Result<ServerPanel, NetError> {
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let lines = log.clone();
        let running = server::start(
            db,
            ServeOptions {
                listen,
                url,
                tls_files: None,
                per_minute: DEFAULT_PER_MINUTE,
                log: Arc::new(move |line| {
                    let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                    if lines.len() == LOG_LINES {
                        lines.pop_front();
                    }
                    lines.push_back(line.to_string());
                    ctx.request_repaint();
                }),
            },
        )?;
        Ok(ServerPanel { running, log })
    }

    fn lines(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

/// What the panel's form holds before the server runs.
pub struct ServerForm {
    listen: String,
    url: String,
}

impl Default for ServerForm {
    fn default() -> ServerForm {
        ServerForm {
            listen: "0.0.0.0:8443".to_string(),
            url: String::new(),
        }
    }
}

impl ServerForm {
    /// The panel: the form and 启动 before the server runs; its address, fingerprint, key line,
    /// 停止 and the log while it runs.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        running: Option<&ServerPanel>,
        actions: &mut Vec<Action>,
    ) {
        ui.label(lang.pick(
            "在本机启动县级同步服务器：各村电脑有网络时点“同步”即可上报数据包并取回回执包；没有网络时仍用 U 盘。",
            "Run the county sync server on this computer: a laptop with a connection clicks \"Sync now\" to send its bundle and get its return bundle; without one, the USB stick still works.",
        ));
        let Some(panel) = running else {
            egui::Grid::new("server_form")
                .num_columns(2)
                .show(ui, |ui| {
                    let label = ui.label(lang.pick("监听地址", "Listen on"));
                    ui.add(egui::TextEdit::singleline(&mut self.listen).desired_width(220.0))
                        .labelled_by(label.id);
                    ui.end_row();
                    let label =
                        ui.label(lang.pick("各村电脑连接的地址", "Address for the laptops"));
                    ui.add(
                        egui::TextEdit::singleline(&mut self.url)
                            .hint_text(lang.pick(
                                "https://本机地址:8443（监听 0.0.0.0 时必填）",
                                "https://THIS-HOST:8443 (needed with 0.0.0.0)",
                            ))
                            .desired_width(320.0),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                });
            if ui
                .button(lang.pick("启动同步服务器", "Start the sync server"))
                .clicked()
            {
                let url = self.url.trim();
                actions.push(Action::StartServer {
                    listen: self.listen.trim().to_string(),
                    url: (!url.is_empty()).then(|| url.to_string()),
                });
            }
            return;
        };
        let pin = &panel.running.pin;
        ui.label(
            RichText::new(match lang {
                Lang::Zh => format!(
                    "同步服务器运行中：{}（监听 {}）",
                    pin.url, panel.running.addr
                ),
                Lang::En => format!(
                    "The sync server is running: {} (listening on {})",
                    pin.url, panel.running.addr
                ),
            })
            .color(OK_GREEN),
        );
        ui.label(format!(
            "{}{}",
            lang.pick(
                "证书指纹（SHA-256）：",
                "Certificate fingerprint (SHA-256): "
            ),
            pin.fingerprint
        ));
        ui.label(lang.pick(
            "请把下面的县级公钥发给各村，在“数据同步”里设置（其中含服务器地址和证书指纹）：",
            "Give the villages this county key line to set on their sync screen (it names the server and its certificate):",
        ));
        ui.add(egui::Label::new(RichText::new(&panel.running.county_line).monospace()).wrap());
        ui.horizontal(|ui| {
            if ui
                .button(lang.pick("复制县级公钥", "Copy the county key line"))
                .clicked()
            {
                ui.ctx().copy_text(panel.running.county_line.clone());
            }
            if ui
                .button(
                    RichText::new(lang.pick("停止同步服务器", "Stop the sync server"))
                        .color(ERROR_RED),
                )
                .clicked()
            {
                actions.push(Action::StopServer);
            }
        });
        ui.separator();
        let lines = panel.lines();
        ui.label(match lang {
            Lang::Zh => format!("请求记录（{} 条，最新的在下）", lines.len()),
            Lang::En => format!("Requests ({}, newest last)", lines.len()),
        });
        egui::ScrollArea::vertical()
            .stick_to_bottom(true)
            .max_height(360.0)
            .show(ui, |ui| {
                for line in &lines {
                    ui.label(RichText::new(line).monospace().small());
                }
            });
    }
}

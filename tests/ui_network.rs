//! The sync screen's 同步 (Sync now) button: shown once the county key line names a sync server,
//! it runs the exchange with the server (started in the test) as a background job, and the
//! window shows what went up and came back.

mod common;

use common::network::{serve, set_line};
use common::team::Team;
use common::window::{click, harness, shown, wait_for_job};
use egui_kittest::kittest::Queryable;

#[test]
fn sync_now_on_the_sync_screen_exchanges_with_the_county_server() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 60);
    let household = team.create_household(&team.a, "301", "黄春燕", 41);

    // Before the laptop knows the server, there is no button.
    let mut window = harness(&dir.path().join("data"), Some(team.a.clone()));
    window.run();
    wait_for_job(&mut window);
    click(&mut window, "数据同步");
    assert!(shown(&window, "导出数据包…"));
    assert!(!shown(&window, "同步"));
    drop(window);

    set_line(&team.a, &served.server.county_line);
    let mut window = harness(&dir.path().join("data"), Some(team.a.clone()));
    window.run();
    wait_for_job(&mut window);
    click(&mut window, "数据同步");
    window.get_by_label_contains(&format!(
        "通过网络与县里同步服务器 {}",
        served.server.pin.url
    ));
    // The job runs in the background: the window keeps drawing (a spinner) meanwhile.
    window.get_by_label("同步").click();
    wait_for_job(&mut window);
    window.get_by_label_contains("已与县里同步");
    let county = dripline::store::Store::open(&team.county).unwrap();
    assert!(
        county.household_record(household).is_ok(),
        "the county has it"
    );
    // The window's own store sees the acknowledgement the return bundle brought.
    let st = dripline::sync::status::status(window.state().store().unwrap()).unwrap();
    assert_eq!(st.pending_records, 0);
    assert!(st.pending_exports.is_empty(), "{st:?}");
    assert!(served.log_text().contains("outcome=imported"));
}

#[test]
fn the_county_window_starts_the_sync_server_and_shows_its_log() {
    use common::window::retype;
    use dripline::net::NetError;
    use dripline::net::client::{SyncOptions, sync_now};
    use dripline::store::Store;

    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    // A second village: the window shows a database of several villages as the county.
    {
        let mut county = Store::open(&team.county).unwrap();
        county
            .save_village(&dripline::model::Village {
                id: uuid::Uuid::new_v4(),
                code: "510824105299".into(),
                name: "石门村".into(),
                ..team.village.clone()
            })
            .unwrap();
        county.close().unwrap();
    }
    let mut window = harness(&dir.path().join("data"), Some(team.county.clone()));
    window.step();
    wait_for_job(&mut window);
    click(&mut window, "同步服务器");
    retype(&mut window, "监听地址", "127.0.0.1:0");
    click(&mut window, "启动同步服务器");
    window.get_by_label_contains("同步服务器运行中：https://127.0.0.1:");
    // The line shown is the county's, with the server: the laptops set it.
    let line = {
        let mut county = Store::open(&team.county).unwrap();
        dripline::sync::county::county_public(&mut county)
            .unwrap()
            .to_line()
    };
    assert!(shown(&window, &line));
    set_line(&team.a, &line);
    let household = team.create_household(&team.a, "302", "莫永福", 42);
    let options = SyncOptions {
        attempts: 1,
        ..SyncOptions::default()
    };
    let mut a = Store::open(&team.a).unwrap();
    sync_now(&mut a, &options, &mut |_| {}).unwrap();
    window.run();
    let a_device = a.device_id();
    // The offset asked, then the bundle: a line each.
    assert_eq!(
        window
            .query_all_by_label_contains(&format!("device={a_device}"))
            .count(),
        2
    );
    window.get_by_label_contains("outcome=imported");
    assert!(
        Store::open(&team.county)
            .unwrap()
            .household_record(household)
            .is_ok()
    );

    click(&mut window, "停止同步服务器");
    assert!(shown(&window, "启动同步服务器"));
    let e = sync_now(&mut a, &options, &mut |_| {}).unwrap_err();
    assert!(matches!(e, NetError::Unreachable { .. }), "{e:?}");
}

//! The sync commands as county IT staff and village teams run them: the built binary, its output
//! and its files.

mod common;

use common::cli::{dripline, json, ok, text};

use std::path::Path;

/// What the database holds, but for the county's log of received bundles: a refused or
/// repeated bundle adds a line to the log and changes nothing else.
fn sha256_of(path: &Path) -> String {
    common::files::fingerprint_but_receipts(path)
}

#[test]
fn help_names_the_sync_commands_and_the_default_database() {
    let help = ok(&["--help"]);
    for word in ["bundle", "keys", "county"] {
        assert!(help.contains(word), "--help lacks {word}");
    }
    let keys = ok(&["keys", "show", "--help"]);
    assert!(
        keys.contains("--db") && keys.contains("data directory"),
        "{keys}"
    );
    let bad = dripline(&["bundle", "import", "--db", "x.sqlite"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "a missing bundle argument is a usage error"
    );
}

#[test]
fn a_demo_village_travels_to_the_county_and_a_return_bundle_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (village, county) = (p("village.sqlite"), p("county.sqlite"));
    ok(&[
        "demo",
        "--out",
        &village,
        "--villages",
        "1",
        "--households-per-village",
        "12",
    ]);

    let init = ok(&[
        "county",
        "init",
        "--out",
        &county,
        "--county-code",
        "510824",
    ]);
    let county_key = init
        .split_whitespace()
        .find(|w| w.starts_with("dripline-county:"))
        .expect("county init prints the county key")
        .to_string();
    let again = dripline(&[
        "county",
        "init",
        "--out",
        &county,
        "--county-code",
        "510824",
    ]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "an existing county file is not overwritten"
    );

    // Without a county key the export warns that personal data travels in the clear.
    let clear = p("clear.dripline");
    let out = dripline(&["bundle", "export", "--db", &village, "--out", &clear]);
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("未加密"),
        "{}",
        text(&out.stderr)
    );
    let inspected = json(&["bundle", "inspect", &clear, "--json"]);
    assert_eq!(inspected["header"]["cipher_suite"], "ed25519+none");
    // Nothing acknowledged yet: the first export carries the bulk-loaded demo records whole.
    assert_eq!(inspected["header"]["full"], true);
    assert!(inspected["header"]["counts"]["records"].as_u64().unwrap() > 12);

    ok(&["keys", "set-county", "--db", &village, &county_key]);
    let shown = json(&["keys", "show", "--db", &village, "--json"]);
    let device_line = shown["device"].as_str().unwrap().to_string();
    assert_eq!(shown["county_key_set"], county_key.as_str());

    let bundle = p("b1.dripline");
    let out = dripline(&[
        "bundle", "export", "--db", &village, "--out", &bundle, "--full",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).is_empty(), "no warning once encrypted");
    let exists = dripline(&["bundle", "export", "--db", &village, "--out", &bundle]);
    assert_eq!(
        exists.status.code(),
        Some(1),
        "an existing bundle is not overwritten"
    );
    let header = json(&["bundle", "inspect", &bundle, "--json"])["header"].clone();
    assert_eq!(
        header["cipher_suite"],
        "ed25519+age-x25519-chacha20poly1305"
    );
    assert!(header["counts"]["records"].as_u64().unwrap() > 12);
    let code = header["village_code"].as_str().unwrap().to_string();

    // Unregistered: refused, the county file unchanged.
    let before = sha256_of(Path::new(&county));
    let refused = dripline(&["bundle", "import", "--db", &county, &bundle]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("未登记"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(sha256_of(Path::new(&county)), before);

    ok(&[
        "keys",
        "register-device",
        "--db",
        &county,
        "--village",
        &code,
        &device_line,
    ]);
    let listed = ok(&["keys", "devices", "--db", &county]);
    assert!(listed.contains(&code));
    let inspect_full = ok(&[
        "bundle", "inspect", &bundle, "--db", &county, "--lang", "en",
    ]);
    assert!(inspect_full.contains("signature"), "{inspect_full}");

    // A flipped byte: refused with the check and the file named, the county file unchanged.
    let mut bytes = std::fs::read(&bundle).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    let tampered = p("tampered.dripline");
    std::fs::write(&tampered, &bytes).unwrap();
    let before = sha256_of(Path::new(&county));
    let refused = dripline(&[
        "bundle", "import", "--db", &county, &tampered, "--lang", "en",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let message = text(&refused.stderr);
    assert!(
        message.contains("tampered.dripline") && message.contains("signature"),
        "{message}"
    );
    assert_eq!(sha256_of(Path::new(&county)), before);

    let imported = json(&["bundle", "import", "--db", &county, &bundle, "--json"]);
    assert!(imported[0]["records_inserted"].as_u64().unwrap() > 12);
    let repeated = json(&["bundle", "import", "--db", &county, &bundle, "--json"]);
    assert_eq!(repeated[0]["already_imported"], true);

    // The county sees the village's figures; the village gets its acknowledgement back.
    ok(&["precisions", "--db", &county, "--village", &code]);
    let ret = p("r1.dripline");
    ok(&[
        "county",
        "return",
        "--db",
        &county,
        "--village",
        &code,
        "--out",
        &ret,
    ]);
    let ret_header = json(&["bundle", "inspect", &ret, "--json"])["header"].clone();
    assert_eq!(ret_header["kind"], "return");
    assert_eq!(ret_header["counts"]["acknowledgements"], 1);
    ok(&["bundle", "import", "--db", &village, &ret]);
    let st = json(&["bundle", "status", "--db", &village, "--json"]);
    assert_eq!(st["pending_records"], 0, "{st}");
    assert!(st["acked_seq"].as_i64().unwrap() > 0);
    assert!(
        st["last_export"]["file"]
            .as_str()
            .unwrap()
            .ends_with("b1.dripline")
    );
    assert_eq!(st["open_conflicts"].as_array().unwrap().len(), 0);
    // Everything is acknowledged: the next incremental bundle is empty.
    let next = p("b2.dripline");
    ok(&["bundle", "export", "--db", &village, "--out", &next]);
    let next_header = json(&["bundle", "inspect", &next, "--json"])["header"].clone();
    assert_eq!(next_header["counts"]["records"], 0, "{next_header}");
}

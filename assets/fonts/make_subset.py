#!/usr/bin/env python3
"""Build assets/fonts/NotoSansSC-Dripline.otf, a subset of Noto Sans CJK SC.

Run from the project root:

    python3 assets/fonts/make_subset.py [--source /path/to/NotoSansCJK-Regular.ttc]

Only dependency: fonttools (`pip install fonttools`).

Character set:
  * GB2312: every valid 2-byte sequence in rows 0xA1..0xA9 (symbols,
    punctuation, kana, Greek, Cyrillic, box drawing ...) and 0xB0..0xF7
    (the 6763 hanzi), decoded with Python's 'gb2312' codec;
  * ASCII 0x20-0x7E, Latin-1 supplement, CJK punctuation U+3000-303F,
    full-width forms U+FF01-FF5E and a few UI symbols;
  * a list of name characters that are outside GB2312 (玥 珺 喆 堃 ...);
  * every non-ASCII character in the project's src/**/*.rs and tests/**/*.rs,
    so new UI strings are covered when the script is re-run.

Characters the font lacks are reported and skipped. Because the SIL OFL 1.1
reserves the original font names, the subset (a Modified Version) is renamed
to "Dripline Sans SC" in the 'name' table and in the CFF table.
"""

import argparse
import io
import os
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE_FAMILY = "Noto Sans CJK SC"  # face to take out of the collection

FAMILY = "Dripline Sans SC"
STYLE = "Regular"
PS_NAME = "DriplineSansSC-Regular"

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
OUTPUT = HERE / "NotoSansSC-Dripline.otf"

# Symbols the UI may use (only those the font has are kept).
EXTRA_SYMBOLS = (
    "×÷±°·—–…‘’“”‰‱€¥£¢§¶†‡•‧※№℃℉Ω√∞≈≠≤≥∑∏∫"
    "✓✔✗✘←→↑↓↔↕⇐⇒▲▼△▽◀▶◆◇●○◎■□★☆⚠♀♂"
    "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
    "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
    "\u00a0\u2002\u2003\u2009\u200b\ufffd\u25fb"
)

# Characters common in Chinese given names and surnames that are (mostly)
# outside GB2312. Duplicates of GB2312 characters are harmless.
NAME_CHARS = (
    "玥珺琰喆淼堃昇旻赟祎炜珏璟"
    "瑢琤珩玙瑄瑀昀晞暐曌熠焱炘焜垚淏沄溱澍濛浠"
    "禕禛祐翀翃骎珅珝璠瑭瑷琇琲彧弢昉晗晟暄旸玚"
    "鋆镕铖锘婳娴嬿姮犇芃苡荭莜蒨棽杺樾洺湉潆頔"
    "龑翊翙昳曈珣琚煊燊烜堉珮璘琨瑨珸琀璎玹琎瑒"
    "昊昙晔晧皓睿喆嘉懿媛婷妤祯祺禹炅焕煜烨昕"
    "钰锴锟钊铠鑫森焓炀烽熙熹焘晖垠埕堇菁萱芮"
    "芯蕊蓁茜莘萌颀颉颢颖頫湘沅沐泓浩淳溪澄瀚"
    "沣浛淩澔滢漪潇瀛婕娉婵嫣姝娅妘妧姞姁嫚嫱"
    "玮玟琮珈璐璞瑗瑾璇琬琦琪瑶瑜瑛璋璨瓒珂玳"
    "冼邝郄逯亓覃隗甯厍鄢郗缑庹阚蒯殳佘昝訾"
)


def gb2312_chars():
    """All characters GB2312 encodes in its symbol rows and hanzi rows."""
    symbols, hanzi = [], []
    for hi in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            (symbols if hi < 0xB0 else hanzi).append(ch)
    return symbols, hanzi


def source_chars():
    """Non-ASCII characters in src/**/*.rs and tests/**/*.rs."""
    chars, files = set(), 0
    for top in ("src", "tests"):
        root = PROJECT / top
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.rs")):
            files += 1
            text = path.read_text(encoding="utf-8", errors="replace")
            chars.update(c for c in text if ord(c) > 0x7E and c.isprintable())
    return chars, files


def open_face(source):
    """Open the Simplified Chinese face of a .ttc (or a plain .otf)."""
    if source.lower().endswith((".ttc", ".otc")):
        from fontTools.ttLib import TTCollection

        coll = TTCollection(source, lazy=True)
        for i, font in enumerate(coll.fonts):
            if font["name"].getDebugName(1) == FACE_FAMILY:
                return i
        sys.exit(f"no face named {FACE_FAMILY!r} in {source}")
    return None


def rename(font):
    """Give the Modified Version its own name (OFL 1.1, Reserved Font Names)."""
    name = font["name"]
    version = name.getDebugName(5) or ""
    new = {
        1: FAMILY,
        3: f"{version.split(';')[0].replace('Version ', '')};DRIPLINE;{PS_NAME}",
        4: f"{FAMILY}" if STYLE == "Regular" else f"{FAMILY} {STYLE}",
        6: PS_NAME,
        16: FAMILY,
        17: STYLE,
    }
    for rec in list(name.names):
        if rec.nameID in new:
            rec.string = new[rec.nameID]
    # Say what this is: a subset of Noto Sans CJK SC under the OFL.
    for rec in name.names:
        if rec.nameID == 5:
            rec.string = f"{version}; subset of Noto Sans CJK SC for Dripline"
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [PS_NAME]
        top = cff.topDictIndex[0]
        top.FamilyName = FAMILY
        top.FullName = f"{FAMILY} {STYLE}"
        # CID-keyed fonts have per-FD FontNames derived from the original.
        fdarray = getattr(top, "FDArray", None)
        if fdarray is not None:
            for fd in fdarray:
                old = getattr(fd, "FontName", None)
                if old and "-" in old:
                    fd.FontName = PS_NAME + "-" + old.split("-", 2)[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default=DEFAULT_SOURCE,
                    help=f"Noto Sans CJK .ttc/.otf (default {DEFAULT_SOURCE})")
    ap.add_argument("--output", default=str(OUTPUT), help="output .otf")
    args = ap.parse_args()

    symbols, hanzi = gb2312_chars()
    ui, n_files = source_chars()
    wanted = set(symbols) | set(hanzi)
    wanted |= {chr(c) for c in range(0x20, 0x7F)}
    wanted |= {chr(c) for c in range(0xA0, 0x100)}
    wanted |= {chr(c) for c in range(0x3000, 0x3040)}
    wanted |= {chr(c) for c in range(0xFF01, 0xFF5F)}
    wanted |= set(EXTRA_SYMBOLS) | set(NAME_CHARS) | ui

    font_number = open_face(args.source)
    font = TTFont(args.source, fontNumber=font_number if font_number is not None else -1,
                  lazy=False)
    cmap = font.getBestCmap()
    covered = {c for c in wanted if ord(c) in cmap}
    missing = sorted(wanted - covered)

    gb_set = set(symbols) | set(hanzi)
    name_extra = {c for c in NAME_CHARS if c not in gb_set and ord(c) in cmap}
    ui_extra = {c for c in ui if c not in gb_set and ord(c) in cmap}

    print(f"source: {args.source} (face {font_number})")
    print(f"GB2312: {len(hanzi)} hanzi, {len(symbols)} symbols")
    print(f"project sources: {n_files} .rs files, {len(ui)} non-ASCII chars, "
          f"{len(ui_extra)} of them outside GB2312")
    print(f"name chars outside GB2312 kept: {len(name_extra)}")
    print(f"requested: {len(wanted)} chars; font covers: {len(covered)}; "
          f"missing: {len(missing)}")
    if missing:
        shown = " ".join(f"U+{ord(c):04X}" for c in missing[:40])
        print(f"  not in font (skipped): {shown}{' ...' if len(missing) > 40 else ''}")
    ui_missing = sorted(c for c in ui if ord(c) not in cmap)
    if ui_missing:
        print("  WARNING: characters used in src/tests that the font lacks: "
              + " ".join(f"{c!r}(U+{ord(c):04X})" for c in ui_missing))

    opts = subset.Options()
    opts.layout_features = []
    opts.hinting = False
    opts.drop_tables += ["GSUB", "GPOS", "VORG", "vhea", "vmtx"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.recalc_bounds = True
    sub = subset.Subsetter(options=opts)
    sub.populate(unicodes=[ord(c) for c in covered])
    sub.subset(font)
    rename(font)

    buf = io.BytesIO()
    font.save(buf)
    data = buf.getvalue()
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out)

    check = TTFont(out)
    n_cmap = len(check.getBestCmap())
    print(f"wrote {out}: {len(data):,} bytes ({len(data) / 1048576:.2f} MiB), "
          f"{n_cmap} mapped code points, {check['maxp'].numGlyphs} glyphs, "
          f"family {check['name'].getDebugName(1)!r}")


if __name__ == "__main__":
    main()

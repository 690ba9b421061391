"""Assets: CSS and JS named by content, url() rewritten, the site's files over the theme's."""

from __future__ import annotations

from sitegen.assets import build_assets, collect_asset_files


def test_css_urls_point_at_final_names(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "fonts").mkdir()
    (tmp_path / "css/base.css").write_text("body{color:red}")
    (tmp_path / "css/style.css").write_text(
        '@import "base.css";\n@font-face{src:url(../fonts/a.woff2)}\n'
        ".x{background:url('/assets/img/x.png')} .y{background:url(data:image/png;base64,AA)}"
    )
    (tmp_path / "fonts/a.woff2").write_bytes(b"font")
    assets = build_assets(collect_asset_files([tmp_path]), "/archive/")
    base = assets["css/base.css"].output
    style = assets["css/style.css"]
    text = style.data.decode()
    assert f'@import "/archive/{base}"' in text
    assert 'url("/archive/assets/fonts/a.woff2")' in text
    assert 'url("/archive/assets/img/x.png")' in text
    assert "url(data:image/png;base64,AA)" in text
    assert assets["fonts/a.woff2"].output == "assets/fonts/a.woff2"
    assert style.output.startswith("assets/css/style.") and style.output != "assets/css/style.css"


def test_hash_changes_when_an_imported_file_changes(tmp_path):
    (tmp_path / "a.css").write_text('@import "b.css";')
    (tmp_path / "b.css").write_text("p{}")
    first = build_assets(collect_asset_files([tmp_path]), "/")["a.css"].output
    (tmp_path / "b.css").write_text("p{color:blue}")
    second = build_assets(collect_asset_files([tmp_path]), "/")["a.css"].output
    assert first != second  # a deploy never serves stale CSS


def test_site_asset_hides_theme_asset(tmp_path):
    site, theme = tmp_path / "site", tmp_path / "theme"
    for folder in (site, theme):
        folder.mkdir()
    (site / "logo.svg").write_text("site")
    (theme / "logo.svg").write_text("theme")
    (theme / "other.svg").write_text("theme")
    files = collect_asset_files([site, theme])
    assert files["logo.svg"] == site / "logo.svg"
    assert files["other.svg"] == theme / "other.svg"


def test_preview_names_are_stable(tmp_path):
    (tmp_path / "s.css").write_text("p{}")
    assert build_assets(collect_asset_files([tmp_path]), "/", hash_names=False)["s.css"].output == (
        "assets/s.css"
    )

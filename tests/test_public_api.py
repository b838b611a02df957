"""The public API: what `profdiag` exports, documented numpydoc-style with examples."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import profdiag

FUNCTIONS = sorted(
    name
    for name in profdiag.__all__
    if inspect.isfunction(getattr(profdiag, name)) and not name.startswith("_")
)


def test_every_exported_name_exists() -> None:
    for name in profdiag.__all__:
        assert getattr(profdiag, name) is not None, name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_functions_document_parameters_returns_raises_and_an_example(name: str) -> None:
    doc = inspect.getdoc(getattr(profdiag, name)) or ""
    for section in ("Returns", "Raises", "Examples"):
        assert f"{section}\n-------" in doc or f"{section}\n------" in doc, (name, section)
    if inspect.signature(getattr(profdiag, name)).parameters:
        assert "Parameters\n----------" in doc or "Parameters are those of" in doc, name


def test_the_package_is_typed() -> None:
    from importlib import resources

    assert (resources.files("profdiag") / "py.typed").is_file()


def test_importing_profdiag_does_not_load_weasyprint() -> None:
    code = "import sys, profdiag; print('weasyprint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert profdiag.render_pdf.__module__ == "profdiag._report.render"  # loaded on first use


def test_private_modules_are_private() -> None:
    import pkgutil

    public = [
        module.name
        for module in pkgutil.iter_modules(profdiag.__path__)
        if not module.name.startswith("_")
    ]
    assert sorted(public) == ["cli", "errors"]  # the command and the error tree

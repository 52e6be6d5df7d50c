"""A Footer that shows the keys that fit, each one whole.

Textual's Footer lets the last keys run off the right edge (``1 Das``) and under
the command-palette key (``palettei``).  This one hides, from the end of the
list, every key that would not fit entirely beside the palette key.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class FittingFooter(Footer):
    """The screen's key bindings, as many as fit whole in the width."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        self.call_after_refresh(self.fit_keys)  # once the new keys are laid out

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self.fit_keys)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_keys)

    def fit_keys(self) -> None:
        """Show keys in binding order while each fits whole; hide the rest."""
        if not self.is_attached or not self.size.width:
            return
        keys = list(self.query(FooterKey))
        palette = [k for k in keys if k.has_class("-command-palette")]
        room = self.size.width - sum(_width(k) for k in palette)
        for key in keys:
            if key in palette:
                continue
            need = _width(key)
            key.display = need <= room
            room -= need if key.display else room  # once one is hidden, so are the ones after it


def _width(key: FooterKey) -> int:
    """Cells the key takes: its text, padding, border and margins."""
    styles = key.styles
    return cell_len(key.render().plain) + styles.margin.width + styles.padding.width + styles.border.spacing.width

"""``appraise explore``: the what-if view a meeting drives from the terminal (Textual).

The state and every figure come from the library (``appraise.analysis.whatif.WhatIf``, ``rank``,
``explain``, ``sensitivity``, ``combine``); this module lays them out and maps keys to changes.
The criteria panel holds the weights in points and as global per cent; the ranking panel one
tab per group (and one for combinations with rules), redrawn on every change; the line under
them the selected criterion's threshold, and what the last change did.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    DataTable,
    OptionList,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)
from textual.widgets.option_list import Option

from appraise.analysis.whatif import options_for
from appraise.errors import InputError, ParameterError
from appraise.present.terminal.tables import PALETTE, bullets, fill, group_title, stacked_bar
from appraise.safe_text import one_line
from appraise.weights import percent_text

if TYPE_CHECKING:
    from appraise.analysis.scoring import Ranking
    from appraise.analysis.whatif import Bounds, WhatIf

MAIN_KEYS = "↑↓ +/- 0-9⏎ weights  → subs  w sets  r reset  Tab options  s simulate  q quit"
COMBINATION_KEYS = "↑↓ scroll  ←→ group  Tab criteria  w sets  r reset  q quit"
RANKING_KEYS = "↑↓ ⏎ explain an option  ←→ group  Tab criteria  s simulate  r reset  q quit"
POINTS_WIDTH = 7
"""Points in the criteria panel: 1234.56, or 1.2e+09."""
TYPED_WIDTH = 16
"""At most this many characters of points typed (1e12 is 13 digits, then a point and two)."""


def name_width(columns: int) -> int:
    """A criterion's name (and its mark) in the criteria panel: 16 at 80 columns, 30 from 100.

    16 shows each of the published table's criteria whole (Sustainability, Deliverability).
    """
    return 30 if columns >= 100 else 16


def criteria_width(columns: int) -> int:
    """The criteria panel: name, points and per cent, a space each side of each, an edge."""
    return name_width(columns) + POINTS_WIDTH + 6 + 6 + 1


@dataclass(frozen=True)
class Simulation:
    """How ``s`` samples weights: as ``sensitivity --only smaa`` with these options."""

    samples: int = 10_000
    seed: int = 1
    distribution: str = "dirichlet"
    concentration: float = 100.0


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, an ellipsis marking a cut."""
    text = one_line(text)
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def points_text(points: float) -> str:
    """Points as a person typed them (30, 19.1, 142.07), in at most 7 characters."""
    text = f"{points:.7g}"
    return text if len(text) <= POINTS_WIDTH else f"{points:.1e}"


def threshold_text(whatif: WhatIf, group: int, node_id: str) -> str:
    """Where the selected weight stands, and the distance to the next threshold either way."""
    node = whatif.node(node_id)
    of = f" of {whatif.node(node.parent).name}" if node.parent else ""
    share = whatif.share(node_id)
    name = cut(node.name, 40)
    now = f"{name}: {points_text(whatif.points[node_id])} points, {percent_text(share)}%{of}."
    if len(whatif.sheets) > 1:
        now = f"{cut(whatif.sheets[group].spec.name, 30)} — {now}"
    if not node.scored:
        return f"{now} This round is scored by criterion: its sub-criteria move nothing."
    bounds = whatif.bounds(group, node_id)
    if bounds is None:
        return f"{now} No threshold: it is alone in its family, or cells are unscored."
    ranking = whatif.rankings()[group]
    names = {o.id: o.name for o in ranking.options}
    leader = ranking.options[0].name
    if bounds.lower is None and bounds.upper is None:
        return f"{now} {leader} leads whatever this weight (0% to 100%{of})."
    interval = f"from {_bound(bounds, 'lower')} to {_bound(bounds, 'upper')}"
    return f"{now} {leader} leads {interval}. {_next(bounds, names, whatif.points[node_id])}"


def _bound(bounds: Bounds, side: str) -> str:
    value = getattr(bounds, side)
    if value is None:
        return "0%" if side == "lower" else "100%"
    return f"{percent_text(value)}%"


def _next(bounds: Bounds, names: dict[str, str], points_now: float) -> str:
    """The nearer threshold: at how many points, how far away, and who leads past it."""
    sides = [
        (bounds.share - bounds.lower, bounds.lower, bounds.points_lower, bounds.below, "below")
        if bounds.lower is not None
        else None,
        (bounds.upper - bounds.share, bounds.upper, bounds.points_upper, bounds.above, "above")
        if bounds.upper is not None
        else None,
    ]
    _, at, points, who, where = min((s for s in sides if s is not None), key=lambda s: s[0])
    assert at is not None
    assert points is not None
    assert who is not None
    reach, away = (f"{p:.2f}".rstrip("0").rstrip(".") for p in (points, abs(points - points_now)))
    leads = f"{names.get(who, who)} leads {where} it"
    return f"Next threshold {percent_text(at)}% at {reach} points ({away} away): {leads}."


def ranking_rows(
    ranking: Ranking, width: int, bar_width: int
) -> Iterator[tuple[str, Text, str, Text, str]]:
    """Rank, option (◆ the status quo), total, contribution bar, and the option's id."""
    sheet = ranking.sheet
    low, high = sheet.scale.min, sheet.scale.max
    shares = _criterion_shares(ranking)
    for option in ranking.options:
        name = Text(cut(option.name, width - (2 if option.status_quo else 0)))
        if option.status_quo:
            name.append(" ◆", style="bold")
        lifts = [option.contributions[c] - low * shares[c] for c in shares]
        yield (
            str(option.rank),
            name,
            f"{option.total:.2f}",
            stacked_bar(lifts, high - low, width=bar_width),
            option.id,
        )


def _criterion_shares(ranking: Ranking) -> dict[str, float]:
    tree = ranking.sheet.tree
    out = dict.fromkeys(tree.top_ids, 0.0)
    for leaf, weight in ranking.weights.items():
        out[tree.parent(leaf) if leaf not in out else leaf] += weight
    return out


def legend(ranking: Ranking) -> Text:
    """Which fill and colour is which criterion, and what ◆ marks."""
    tree = ranking.sheet.tree
    text = Text()
    for i, c in enumerate(tree.top_ids):
        text.append(fill(i), style=PALETTE[i % len(PALETTE)])
        text.append(f" {cut(tree.name(c), 14)}  ")
    if any(o.status_quo for o in ranking.options):
        text.append("◆ status quo")
    return text


def set_aside_text(ranking: Ranking) -> RenderableType | None:
    """Options kept out of the ranking, each with why, listed apart."""
    rows = [*ranking.screened_out, *ranking.excluded, *ranking.rejected]
    if not rows:
        return None
    listed = bullets([f"{one_line(row.name)}: {one_line(row.reason)}" for row in rows])
    return Group(Text("Set aside (not ranked):", style="bold"), listed)


class CriteriaTable(DataTable[Any]):
    """The criteria with their points and global per cent; keys change the selected weight."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right", "expand", "sub-criteria", show=False),
        Binding("left", "collapse", "criteria", show=False),
    ]

    def on_key(self, event: Any) -> None:
        """Keys for the selected weight: + and - a point, digits typed, Backspace, Esc."""
        app: ExploreApp = self.app  # type: ignore[assignment]
        character = event.character or ""
        if character in ("+", "="):
            app.step(1)
        elif character == "-":
            app.step(-1)
        elif character.isdigit() or character == ".":
            app.type_character(character)
        elif app.typed and character.isprintable() and character not in "qwrs":
            app.news = f"Points are digits and a point: '{character}' is left out"
            app.show_status()
        elif event.key == "backspace" and app.typed:
            app.type_character(None)
        elif event.key in ("up", "down") and app.typed:
            app.typed = ""  # points half-typed belong to the criterion they were typed for
            return
        elif event.key == "escape" and app.typed:
            app.typed = ""
            app.show_status()
        else:
            return
        event.stop()
        event.prevent_default()

    def action_expand(self) -> None:
        """Right: open the selected criterion's sub-criteria."""
        app: ExploreApp = self.app  # type: ignore[assignment]
        app.toggle(True)

    def action_collapse(self) -> None:
        """Left: close them, the criterion selected."""
        app: ExploreApp = self.app  # type: ignore[assignment]
        app.toggle(False)


class RankingTable(DataTable[Any]):
    """A group's ranked options; Enter explains one, Left/Right open the next group's tab."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "app.group(-1)", "previous group", show=False),
        Binding("right", "app.group(1)", "next group", show=False),
    ]


class CombinationsView(VerticalScroll):
    """The best combinations under the rules; Left/Right open the next tab, as on a group's."""

    BINDINGS = RankingTable.BINDINGS


class OptionScreen(Screen[None]):
    """``explain`` for one option: parts per leaf with the panel's spread, gaps to the leader."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "back")]

    def __init__(self, view: RenderableType) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        """The explain view, scrolled, and its keys."""
        with VerticalScroll():
            yield Static(self.view, id="explain")
        yield Static("↑↓ scroll  Esc back", classes="keys")


class WeightSetScreen(ModalScreen[str | None]):
    """Choose a named weight set, or the criteria file's own weights."""

    FILE = "(the criteria file's weights)"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "back")]

    def __init__(self, names: Sequence[str], current: str | None) -> None:
        super().__init__()
        self.names = list(names)
        self.current = current

    def compose(self) -> ComposeResult:
        """The file's weights, then each named set."""
        options = [Option(self.FILE, id="")]
        options += [Option(name, id=name) for name in self.names]
        with Vertical(id="sets"):
            yield Static("Weight sets (⏎ choose, Esc back)", classes="title")
            yield OptionList(*options, id="set-list")

    def on_mount(self) -> None:
        """The set in force highlighted, the list focused."""
        chosen = self.query_one(OptionList)
        chosen.highlighted = 0 if self.current is None else 1 + self.names.index(self.current)
        chosen.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter: that set (None for the file's weights)."""
        self.dismiss(event.option.id or None)

    def action_dismiss_none(self) -> None:
        """Esc: keep the weights as they are."""
        self.dismiss(None if self.current is None else self.current)


class Cancelled(Exception):
    """The simulation was stopped by a key."""


class SimulationScreen(Screen[None]):
    """SMAA for the weights in force, drawn in a thread: a progress bar, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "stop", "cancel or back")]

    def __init__(self, ranking: Ranking, simulation: Simulation, command: str) -> None:
        super().__init__()
        self.ranking = ranking
        self.simulation = simulation
        self.command = command
        self.cancelled = False
        self.running = False

    def compose(self) -> ComposeResult:
        """What is drawn and how, the bar, the result (when done) and the keys."""
        sim = self.simulation
        around = {
            "dirichlet": "Dirichlet around the weights in force "
            f"(concentration {sim.concentration:g})",
            "uniform": "uniform weights (no preferences: the weights in force do not enter)",
            "family": "uniform weights per criterion, then per sub-criterion (the weights in "
            "force do not enter)",
        }.get(sim.distribution, f"{sim.distribution} weights")
        sheet = self.ranking.sheet
        with VerticalScroll():
            yield Static(group_title(sheet.spec.name, sheet.group, sheet.illustrative))
            yield Static(
                Text(
                    f"Simulation: {sim.samples:,} draws, {around}, seed {sim.seed}.\n"
                    f"The same as: {self.command}"
                ),
                id="sim-title",
            )
            yield ProgressBar(total=sim.samples, show_eta=False, id="sim-progress")
            yield Static("", id="sim-result")
        yield Static("Esc cancels the run, or goes back when it is done", classes="keys")

    def on_mount(self) -> None:
        """Start drawing as soon as the screen shows."""
        self.running = True
        self.run_simulation()

    @work(thread=True, exclusive=True)
    def run_simulation(self) -> None:
        """Draw the simulation in a thread: each chunk moves the bar, or stops a cancelled run."""
        from appraise import api
        from appraise.present.sensitivity import sensitivity_record
        from appraise.present.terminal.sensitivity import smaa_table

        sim = self.simulation

        def advance(done: int) -> None:
            if self.cancelled:
                raise Cancelled
            self.app.call_from_thread(self.query_one(ProgressBar).update, progress=done)

        @contextlib.contextmanager
        def progress(_: int) -> Iterator[Callable[[int], None]]:
            yield advance

        try:
            result = api.sensitivity(
                self.ranking,
                only=["smaa"],
                samples=sim.samples,
                seed=sim.seed,
                distribution=sim.distribution,
                concentration=sim.concentration,
                progress=progress,
            )
        except Cancelled:
            self.app.call_from_thread(self._show, Text("Cancelled: nothing was kept."))
            return
        except (InputError, ParameterError) as exc:
            self.app.call_from_thread(self._show, Text(f"error: {one_line(str(exc))}"))
            return
        smaa = sensitivity_record(result).get("smaa")
        assert smaa is not None
        self.app.call_from_thread(self._show, smaa_table(smaa, 3))

    def _show(self, view: RenderableType) -> None:
        self.running = False
        self.query_one("#sim-result", Static).update(view)
        self.query_one(".keys", Static).update("↑↓ scroll  Esc back")

    def action_stop(self) -> None:
        """Esc: cancel a run, or go back once it is done."""
        if self.running:
            self.cancelled = True
        else:
            self.dismiss()


class ExploreApp(App[None]):
    """The criteria panel, the ranking per group, the threshold line and the keys."""

    TITLE = "appraise explore"
    CSS = """
    #criteria-panel { height: 1fr; }
    #weights { height: auto; padding: 0 1; color: $text-muted; }
    #criteria { height: 1fr; }
    #groups { width: 1fr; height: 1fr; }
    #status { height: 4; padding: 0 1; }
    #news { height: auto; max-height: 5; padding: 0 1; color: $warning; text-style: bold; }
    .keys { height: 1; background: $panel; padding: 0 1; }
    .title { text-style: bold; }
    .legend { height: auto; }
    #sets { width: 60; height: auto; max-height: 20; border: round $accent; background: $panel; }
    WeightSetScreen { align: center middle; }
    DataTable { height: auto; max-height: 100%; }
    TabPane { padding: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "quit"),
        Binding("w", "weight_sets", "weight sets"),
        Binding("r", "restore", "restore"),
        Binding("s", "simulate", "simulate"),
    ]

    def __init__(
        self,
        whatif: WhatIf,
        *,
        rules: str | Path | None = None,
        rescale: bool = False,
        simulation: Simulation | None = None,
        command: Sequence[str] = ("appraise",),
    ) -> None:
        super().__init__()
        self.whatif = whatif
        self.rules = rules
        self.rescale = rescale
        self.simulation = simulation or Simulation()
        self.command = list(command)
        self.expanded: set[str] = set()
        self.typed = ""
        self.news = ""
        self._selected = whatif.nodes[0].id
        self.columns = 80
        """The terminal's width the columns were last sized to."""

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """The heading, the criteria panel, a tab per group (and combinations), status and keys."""
        first = self.whatif.sheets[0]
        title = group_title(first.spec.name, first.group, first.illustrative)
        if len(self.whatif.sheets) > 1:
            title = Text(f"{len(self.whatif.sheets)} groups", style="bold")
            if any(s.illustrative for s in self.whatif.sheets):
                title.append("  ILLUSTRATIVE SCORES", style="bold yellow")
        yield Static(title, id="heading")
        with Horizontal():
            with Vertical(id="criteria-panel"):
                yield Static("", id="weights")
                yield CriteriaTable(id="criteria", cursor_type="row", zebra_stripes=False)
            with TabbedContent(id="groups"):
                for i, label in enumerate(self.tab_labels()):
                    with TabPane(label, id=f"group-{i}"), VerticalScroll():
                        yield RankingTable(id=f"ranking-{i}", cursor_type="row", classes="ranking")
                        yield Static("", id=f"legend-{i}", classes="legend")
                        yield Static("", id=f"aside-{i}", classes="legend")
                if self.rules is not None:
                    with TabPane("Combinations", id="combinations"), CombinationsView():
                        yield Static("", id="combined")
        yield Static("", id="status")
        yield Static("", id="news")
        yield Static(MAIN_KEYS, id="keys", classes="keys")

    def tab_labels(self) -> list[str]:
        """A tab's label: the group's name, or its file's when names repeat (a panel's files)."""
        names = [cut(sheet.spec.name, 24) for sheet in self.whatif.sheets]
        if len(set(names)) == len(names):
            return names
        return [cut(Path(sheet.path).stem, 24) for sheet in self.whatif.sheets]

    def on_mount(self) -> None:
        """Columns sized to the terminal, every panel drawn, the criteria focused."""
        self.columns = self.size.width
        # Tab moves from panel to panel: the tab strip and a group's scroll are not stops
        self.query_one(TabbedContent).query_one(Tabs).can_focus = False
        for i in range(len(self.whatif.sheets)):
            self.query_one(f"#group-{i}", TabPane).query_one(VerticalScroll).can_focus = False
        self.add_columns()
        self.refresh_views()
        self.query_one(CriteriaTable).focus()

    def add_columns(self) -> None:
        """Every table's columns, sized to the terminal as it is now (rows drawn again after)."""
        columns = self.columns
        panel = self.query_one("#criteria-panel")
        panel.styles.width = criteria_width(columns)
        criteria = self.query_one(CriteriaTable)
        criteria.clear(columns=True)
        criteria.add_column("Criterion", width=name_width(columns), key="name")
        criteria.add_column(Text("Points", justify="right"), width=POINTS_WIDTH, key="points")
        criteria.add_column(Text("Global", justify="right"), width=6, key="global")
        for i in range(len(self.whatif.sheets)):
            table = self.query_one(f"#ranking-{i}", DataTable)
            table.clear(columns=True)
            table.add_column("#", width=2, key="rank")
            table.add_column("Option", width=self.option_width(), key="option")
            table.add_column(Text("Total", justify="right"), width=5, key="total")
            heading = "By criterion" if self.bar_width() >= 12 else "Criteria"
            table.add_column(heading, width=self.bar_width(), key="bar")

    def on_resize(self, event: events.Resize) -> None:
        """The columns sized again to the new width, and every panel drawn."""
        if event.size.width != self.columns and self.query(CriteriaTable):
            self.columns = event.size.width
            self.add_columns()
            self.refresh_views()

    def bar_width(self) -> int:
        """The contribution bar: 10 characters at 80 columns, 20 from 100."""
        return 20 if self.columns >= 100 else 10

    def option_width(self) -> int:
        """The option column: what the screen leaves beside the criteria, total and bar."""
        columns = self.columns
        rest = criteria_width(columns) + 2 + 5 + self.bar_width() + 4 * 2 + 2  # spaces, scroll
        return max(12, min(44, columns - rest))

    @property
    def selected(self) -> str:
        """The criterion under the cursor now (not as a message about it said earlier)."""
        table = self.query_one(CriteriaTable)
        if table.row_count:
            self._selected = str(table.ordered_rows[table.cursor_row].key.value)
        return self._selected

    # --- what is shown --------------------------------------------------------------------

    @property
    def group(self) -> int:
        """The group whose tab is open (the first while combinations are shown)."""
        active = self.query_one(TabbedContent).active
        return int(active.split("-")[1]) if active.startswith("group-") else 0

    def visible_nodes(self) -> list[str]:
        """The criteria, and the sub-criteria of those expanded."""
        return [n.id for n in self.whatif.nodes if n.parent is None or n.parent in self.expanded]

    def refresh_views(self) -> None:
        """Every panel from the weights in force."""
        self.refresh_criteria()
        for i, ranking in enumerate(self.whatif.rankings()):
            self.refresh_ranking(i, ranking)
        if self.rules is not None:
            self.refresh_combinations()
        self.show_status()

    def refresh_criteria(self) -> None:
        """The criteria rows: figures updated in place, rows rebuilt only when a family opens.

        Rebuilding moves the cursor through other rows, and each move is a message handled
        later; updating in place sends none, so points being typed are never lost to one.
        """
        table = self.query_one(CriteriaTable)
        whatif = self.whatif
        visible = self.visible_nodes()
        rebuild = [str(key.value) for key in table.rows] != visible
        if rebuild:
            table.clear()
        for node_id in visible:
            node = whatif.node(node_id)
            points = Text(points_text(whatif.points[node_id]), justify="right")
            share = Text(f"{percent_text(whatif.global_share(node_id))}%", justify="right")
            if not rebuild:
                table.update_cell(node_id, "points", points)
                table.update_cell(node_id, "global", share)
                continue
            has_subs = any(n.parent == node_id for n in whatif.nodes)
            mark = ("▾ " if node_id in self.expanded else "▸ ") if has_subs else "  "
            indent = mark if node.parent is None else "  "
            width = name_width(self.columns) - 2
            name = Text(indent + cut(node.name, width), style="" if node.scored else "dim")
            table.add_row(name, points, share, key=node_id)
        if rebuild:
            table.move_cursor(row=visible.index(self._selected), animate=False)

    def refresh_ranking(self, i: int, ranking: Ranking) -> None:
        """A group's rows: updated in place while the order holds, rebuilt when it changes."""
        table = self.query_one(f"#ranking-{i}", DataTable)
        rows = list(ranking_rows(ranking, self.option_width(), self.bar_width()))
        if [str(key.value) for key in table.rows] == [row[-1] for row in rows]:
            for rank, _, total, bar, option_id in rows:
                table.update_cell(option_id, "rank", rank)
                table.update_cell(option_id, "total", Text(total, justify="right"))
                table.update_cell(option_id, "bar", bar)
        else:
            row = table.cursor_row
            table.clear()
            for rank, name, total, bar, option_id in rows:
                table.add_row(rank, name, Text(total, justify="right"), bar, key=option_id)
            table.move_cursor(row=min(row, len(rows) - 1), animate=False)
            # Neither moves with the weights: drawn again only with the rows
            self.query_one(f"#legend-{i}", Static).update(legend(ranking))
            self.query_one(f"#aside-{i}", Static).update(set_aside_text(ranking) or "")

    def refresh_combinations(self) -> None:
        """The top five combinations under the rules, for the weights in force."""
        from appraise import api
        from appraise.present.combine import combine_record
        from appraise.present.terminal.combine import combinations_view

        assert self.rules is not None
        try:
            result = api.combine(
                list(self.whatif.rankings()), self.rules, top=5, samples=0, rescale=self.rescale
            )
            view: RenderableType = combinations_view(combine_record(result), self.columns - 35)
        except (InputError, ParameterError) as exc:
            view = Text(f"No combinations: {one_line(str(exc))}")
        self.query_one("#combined", Static).update(view)

    def show_status(self) -> None:
        """The selected weight's threshold (or the points typed), and the last change's news."""
        if self.typed:
            name = self.whatif.node(self.selected).name
            line = f"Points for {name}: {self.typed}▏ (⏎ sets it, Esc cancels)"
        else:
            line = threshold_text(self.whatif, self.group, self.selected)
        self.query_one("#status", Static).update(Text(line))
        self.query_one("#news", Static).update(Text(self.news))
        self.query_one("#weights", Static).update(Text(self.weights_line()))

    def weights_line(self) -> str:
        """Which weights are in force: the file's or a set's, and how many points changed."""
        whatif = self.whatif
        base = f"set '{whatif.weight_set}'" if whatif.weight_set else "the file's"
        changed = len(whatif.given())
        return f"Weights: {base}" + (f", {changed} changed" if changed else "")

    # --- changes ---------------------------------------------------------------------------

    def changed(self, do: Callable[[], Any]) -> None:
        """Apply a change; a refused one is said on the news line, the weights unchanged."""
        try:
            change = do()
        except (ParameterError, InputError) as exc:
            self.news = (
                f"Not changed: {one_line(exc.message if hasattr(exc, 'message') else str(exc))}"
            )
        else:
            self.news = "\n".join(change.announcements)
        self.refresh_views()

    def step(self, by: float) -> None:
        """The selected weight a point up or down."""
        self.typed = ""
        self.changed(lambda: self.whatif.step(self.selected, by))

    def type_character(self, character: str | None) -> None:
        """A digit or point typed (None: Backspace); past 16 characters, said and left out."""
        if character is None:
            self.typed = self.typed[:-1]
        elif len(self.typed) >= TYPED_WIDTH:
            self.news = f"At most {TYPED_WIDTH} characters of points (1e12 points at most)"
        else:
            self.typed += character
        self.show_status()

    def toggle(self, expand: bool) -> None:
        """Open (or close) the selected criterion's family."""
        node = self.whatif.node(self.selected)
        top = node.parent or node.id
        if expand and any(n.parent == top for n in self.whatif.nodes):
            self.expanded.add(top)
        elif not expand:
            self.expanded.discard(top)
            self._selected = top
        self.refresh_criteria()
        self.show_status()

    @on(DataTable.RowHighlighted, "#criteria")
    def criterion_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """A new criterion chosen: its threshold shown."""
        if event.cursor_row == event.data_table.cursor_row:  # not a row passed on the way
            self.show_status()

    @on(DataTable.RowSelected, "#criteria")
    def criterion_entered(self, event: DataTable.RowSelected) -> None:
        """Enter sets the points typed; with nothing typed it opens or closes a family."""
        if self.typed:
            text, self.typed = self.typed, ""
            try:
                points = float(text)
            except ValueError:
                self.news = f"Not changed: '{text}' is not a number of points"
                self.show_status()
                return
            self.changed(lambda: self.whatif.change(self.selected, points))
        elif self.selected in self.expanded:
            self.toggle(False)
        else:
            self.toggle(True)

    @on(DataTable.RowSelected, ".ranking")
    def option_entered(self, event: DataTable.RowSelected) -> None:
        """Enter on an option: the explain view."""
        from appraise import api
        from appraise.present.explain import explain_record
        from appraise.present.terminal.explain import explain_view

        group = int(str(event.data_table.id).split("-")[1])
        ranking = self.whatif.rankings()[group]
        option = str(event.row_key.value)
        view = explain_view(explain_record(api.explain(ranking, option)))
        self.push_screen(OptionScreen(view), lambda _: self.update_keys())

    @on(TabbedContent.TabActivated)
    def tab_changed(self) -> None:
        """Another tab: the threshold line speaks of its group."""
        self.show_status()

    def on_descendant_focus(self, event: Any) -> None:
        """The keys line says what the focused panel's keys do."""
        self.update_keys(event.widget)

    def update_keys(self, widget: Any = None) -> None:
        """The keys line for the focused panel (``widget``, or the one focused now)."""
        widget = widget or self.focused
        keys = (
            RANKING_KEYS
            if isinstance(widget, RankingTable)
            else COMBINATION_KEYS
            if isinstance(widget, CombinationsView)
            else MAIN_KEYS
        )
        self.query_one("#keys", Static).update(keys)

    def action_group(self, by: int) -> None:
        """Open the next (or previous) tab: a group, or the combinations."""
        tabbed = self.query_one(TabbedContent)
        panes = [pane.id for pane in tabbed.query(TabPane) if pane.id]
        tabbed.active = panes[(panes.index(tabbed.active) + by) % len(panes)]
        pane = tabbed.get_pane(tabbed.active)
        tables = pane.query(RankingTable)
        (tables.first() if tables else pane.query_one(CombinationsView)).focus()

    def action_restore(self) -> None:
        """r: back to the weights the session started from."""
        if len(self.screen_stack) > 1:  # the weights move only where their figures show
            return
        self.typed = ""
        self.changed(self.whatif.restore)

    def action_weight_sets(self) -> None:
        """w: choose a weight set from the list."""
        if len(self.screen_stack) > 1:  # the weights move only where their figures show
            return
        if not self.whatif.weight_sets:
            self.news = "The criteria file has no weight sets."
            self.show_status()
            return

        def chosen(name: str | None) -> None:
            if name != self.whatif.weight_set:
                self.changed(lambda: self.whatif.use_weight_set(name))

        self.push_screen(WeightSetScreen(self.whatif.weight_sets, self.whatif.weight_set), chosen)

    def action_simulate(self) -> None:
        """s: the simulation for the open group under the weights in force."""
        if len(self.screen_stack) > 1:  # the weights move only where their figures show
            return
        if not self.query_one(TabbedContent).active.startswith("group-"):
            self.news = "Open a group's tab to simulate it"
            self.show_status()
            return
        ranking = self.whatif.rankings()[self.group]
        screen = SimulationScreen(ranking, self.simulation, self.rerun_command())
        self.push_screen(screen, lambda _: self.update_keys())

    def rerun_command(self) -> str:
        """The ``sensitivity`` command that draws the same simulation for the open group."""
        sim = self.simulation
        sheet = self.whatif.sheets[self.group]
        words = ["appraise", "sensitivity", sheet.path, "--only", "smaa"]
        words += options_for(self.whatif.settings_now(), self.whatif.given())
        words += ["--samples", str(sim.samples), "--seed", str(sim.seed)]
        words += ["--distribution", sim.distribution]
        if sim.distribution == "dirichlet":
            words += ["--concentration", f"{sim.concentration:g}"]
        return shlex.join(words)

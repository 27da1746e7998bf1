"""Drawing computation graphs with matplotlib (lectures 3 and 4).

    draw(nodes, edges, labels={...}, edge_labels={...})   any DAG, layered left to right
    draw_value(f)              an engine Value's graph with values, adjoints, local partials

The layout puts each node in the layer of its longest path from an input, so every
edge points right; within a layer nodes are ordered by the mean height of their
parents, which keeps most edges from crossing.
"""
from collections import namedtuple

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch

Trace = namedtuple("Trace", "nodes edges labels edge_labels")
ROW = 0.55  # vertical distance of two nodes in one layer; layers are 1 apart
BEND = 0.3  # how far an edge that skips layers bows out (arc3's rad)


def layers(nodes, edges):
    """{node: layer}: 1 + the largest parent layer; a source sits just left of its first use."""
    if len(set(nodes)) != len(nodes):
        raise ValueError("draw: nodes contains duplicates")
    children = {n: [] for n in nodes}
    indegree = dict.fromkeys(nodes, 0)
    for src, dst in edges:
        for end in (src, dst):
            if end not in children:
                raise ValueError(f"draw: edge ({src!r}, {dst!r}) names an unknown node {end!r}")
        children[src].append(dst)
        indegree[dst] += 1
    sources = [n for n in nodes if indegree[n] == 0]
    layer = dict.fromkeys(nodes, 0)
    ready = list(sources)
    for n in ready:  # Kahn's algorithm: ready grows while we walk it
        for c in children[n]:
            layer[c] = max(layer[c], layer[n] + 1)
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    if len(ready) < len(nodes):
        stuck = [n for n in nodes if indegree[n] > 0]
        raise ValueError(f"draw: the graph has a cycle through {stuck[0]!r}; "
                         "a computation graph must be a DAG")
    for n in sources:  # a constant used late is drawn next to its use, not at the far left
        if children[n]:
            layer[n] = min(layer[c] for c in children[n]) - 1
    return layer


def layout(nodes, edges):
    """{node: (x, y)}: x = layer, y spread around 0 (ROW apart) within the layer."""
    layer = layers(nodes, edges)
    parents = {n: [] for n in nodes}
    for src, dst in edges:
        parents[dst].append(src)
    pos = {}
    for k in range(max(layer.values(), default=-1) + 1):
        column = [n for n in nodes if layer[n] == k]
        # barycentre ordering: a node sits near the mean height of its parents
        key = {n: sum(pos[p][1] for p in parents[n]) / len(parents[n]) if parents[n] else 0.0
               for n in column}
        column.sort(key=lambda n: -key[n])  # stable: inputs keep the order given
        for i, n in enumerate(column):
            pos[n] = (float(k), ROW * ((len(column) - 1) / 2 - i))
    return pos


def draw(nodes, edges, ax=None, labels=None, edge_labels=None, node_color="#e8f0fe",
         highlight=(), fontsize=9):
    """Draw a DAG: nodes a list of hashable ids, edges a list of (src, dst).

    labels {id: text} (default str(id)), edge_labels {(src, dst): text},
    highlight: ids drawn in orange (e.g. the output). Returns the axes.
    """
    nodes, edges = list(nodes), [tuple(e) for e in edges]
    labels, edge_labels, highlight = labels or {}, edge_labels or {}, set(highlight)
    pos = layout(nodes, edges)
    ax = _canvas(pos, edges, ax)
    boxes = {n: ax.text(*pos[n], labels.get(n, str(n)), ha="center", va="center",
                        fontsize=fontsize, zorder=2,
                        bbox=dict(boxstyle="round,pad=0.4", ec="#335",
                                  fc="#fcd9b6" if n in highlight else node_color))
             for n in nodes}
    for src, dst in edges:
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        rad = -BEND if x1 - x0 > 1 else 0.0  # an edge that skips a layer bows over its nodes
        # clipped at both boxes; drawn after them (zorder 3) so the boxes are placed first
        ax.add_patch(FancyArrowPatch(pos[src], pos[dst], arrowstyle="-|>", mutation_scale=12,
                                     connectionstyle=f"arc3,rad={rad}", color="#335", lw=1.0,
                                     zorder=3, shrinkA=2, shrinkB=2,
                                     patchA=boxes[src].get_bbox_patch(),
                                     patchB=boxes[dst].get_bbox_patch()))
        if (src, dst) in edge_labels:
            # the middle of arc3's quadratic Bezier curve (exact because the axes are equal-scaled)
            xm, ym = (x0 + x1) / 2 + rad / 2 * (y1 - y0), (y0 + y1) / 2 - rad / 2 * (x1 - x0)
            ax.text(xm, ym, edge_labels[(src, dst)], fontsize=fontsize - 1, color="#a33",
                    ha="center", va="center", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))
    return ax


def _canvas(pos, edges, ax):
    """Axes with room for every node and bent edge, equal scales in x and y, no frame."""
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    span = max([pos[d][0] - pos[s][0] for s, d in edges], default=0)
    xlim = (min(xs) - 0.55, max(xs) + 0.55)
    ylim = (min(ys) - 0.35, max(ys) + 0.35 + (BEND / 2 * span if span > 1 else 0))
    if ax is None:
        inch = 2.2  # per unit: one layer is 2.2 inches wide
        _, ax = plt.subplots(figsize=(inch * (xlim[1] - xlim[0]), inch * (ylim[1] - ylim[0])))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def trace(f, grads=True, local=True, digits=3):
    """The graph of engine Value f as a Trace(nodes, edges, labels, edge_labels).

    Nodes are the Value objects, inputs first; labels show name, op, value and,
    with grads, the adjoint df/dnode (run f.backward() first); edge labels show the
    local partials dg_child/dparent. A node used twice by one op (x * x) gives two
    edge labels joined by '+' on one edge.
    """
    from .engine import Value, node_names
    if not isinstance(f, Value):
        raise TypeError(f"trace needs an engine Value, got {type(f).__name__}")
    nodes = f.topological_order()
    fmt = lambda v: f"{v:.{digits}g}"
    names = node_names(nodes)
    labels = {}
    for n in nodes:
        if n.op:
            text = f"{names[n]} = {_formula(n, names)}\n{fmt(n.data)}"
        else:  # an input shows its name and value, a constant its value only
            text = f"{names[n]}\n{fmt(n.data)}" if n.name else names[n]
        labels[n] = text + (f"\ngrad {fmt(n.grad)}" if grads else "")
    edges, edge_labels = [], {}
    for n in nodes:
        for p, d in zip(n.parents, n.local):
            if (p, n) in edge_labels:
                edge_labels[(p, n)] += " + " + fmt(d)
                continue
            edges.append((p, n))
            edge_labels[(p, n)] = fmt(d)
    return Trace(nodes, edges, labels, edge_labels if local else {})


def _formula(node, names):
    """'a + b', 'exp(a)', 'a**2' for a node, from its op and parents' names."""
    args = [names[p] for p in node.parents]
    if len(args) == 2:
        return f"{args[0]} {node.op} {args[1]}"
    if node.op.startswith("**"):
        return f"{args[0]}{node.op}"
    if node.op == "neg":
        return f"-{args[0]}"
    return f"{node.op}({args[0]})"


def draw_value(f, ax=None, grads=True, local=True, **kwargs):
    """draw(trace(f)): the computation graph of f with values, adjoints and local partials."""
    t = trace(f, grads=grads, local=local)
    return draw(t.nodes, t.edges, ax=ax, labels=t.labels, edge_labels=t.edge_labels,
                highlight=[f], **kwargs)

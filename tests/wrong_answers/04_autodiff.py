"""Mistakes students make in exercise 4, each of which must score 0 on its part."""

WRONG = [
    # Part 1: adjoints of a graph with a shared node and a max branch
    dict(part="test_adjoints", cell="adjoints",
         why="a has two children; the path through b = exp(-a) is forgotten",
         old="    bar[\"a\"] += bar[\"b\"] * (-b)       # b = exp(-a): a's second child\n", new=""),
    dict(part="test_adjoints", cell="adjoints",
         why="overwrites z's adjoint with the path through c instead of accumulating both paths",
         old="bar[\"z\"] += bar[\"c\"]", new="bar[\"z\"] = bar[\"c\"]"),
    # Part 2: dual numbers with a gradient as derivative part
    dict(part="test_dual_gradient", cell="dual_gradient",
         why="quotient rule with the numerator's sign swapped",
         old="(self.dot * other.val - self.val * other.dot)",
         new="(self.val * other.dot - self.dot * other.val)"),
    dict(part="test_dual_gradient", cell="dual_gradient",
         why="right gradient, but one call of f per input (scalar forward mode), not one pass",
         old=("    directions = np.eye(len(xs))\n"
              "    out = f(*[Dual(v, row) for v, row in zip(xs, directions)])\n"
              "    return out.val, out.dot"),
         new=("    grads, out = [], None\n"
              "    for i in range(len(xs)):\n"
              "        out = f(*[Dual(v, [1.0 if j == i else 0.0]) for j, v in enumerate(xs)])\n"
              "        grads.append(out.dot[0])\n"
              "    return out.val, np.array(grads)")),
    # Part 3a: softplus and maximum
    dict(part="test_softplus_maximum", cell="node_ops",
         why="softplus' written as e^u / (1 + e^u): math.exp(1000) overflows",
         old="slope = 1.0 / (1.0 + small) if u >= 0 else small / (1.0 + small)",
         new="slope = math.exp(u) / (1.0 + math.exp(u))"),
    dict(part="test_softplus_maximum", cell="node_ops",
         why="maximum passes its adjoint to both inputs",
         old="            larger.grad += node.grad            # the smaller input does not move the output",
         new="            self.grad += node.grad\n            other.grad += node.grad"),
    # Part 3b: logsumexp
    dict(part="test_logsumexp", cell="node_ops",
         why="overwrites instead of accumulating: a node listed twice keeps only its last term",
         old="v.grad += node.grad * term / total", new="v.grad = node.grad * term / total"),
    dict(part="test_logsumexp", cell="node_ops",
         why="no shift by the maximum: math.exp(1000) overflows",
         old="top = max(v.data for v in nodes)", new="top = 0.0"),
    # Part 4: the tape bug hunt
    dict(part="test_tape", cell="tape_fixed",
         why="fixes only what the visible check shows: atan's partial stays 1/(1 + u)",
         old="[(self.row, 1.0 / (1.0 + u * u))]", new="[(self.row, 1.0 / (1.0 + u))]"),
    dict(part="test_tape", cell="tape_fixed",
         why="sweeps the tape backwards but still overwrites instead of accumulating",
         old="bar[parent] += bar[k] * partial", new="bar[parent] = bar[k] * partial"),
]

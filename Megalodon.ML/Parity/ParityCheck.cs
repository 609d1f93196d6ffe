namespace Megalodon.ML.Parity;

/// <summary>What a parity check compares.</summary>
public enum ParityCheckKind
{
    /// <summary>Full-forward logits.</summary>
    Logits,
    /// <summary>Cached, segment-by-segment logits.</summary>
    Incremental,
    /// <summary>The final hidden state.</summary>
    Hidden,
    /// <summary>A first-layer intermediate.</summary>
    Layer0,
    /// <summary>The training loss.</summary>
    Loss,
    /// <summary>A parameter gradient.</summary>
    Gradient,
    /// <summary>The run itself (inputs, model construction); fails when something could not be computed at all.</summary>
    Run,
}

/// <summary>The outcome of one parity check.</summary>
public enum ParityStatus
{
    /// <summary>Within tolerance.</summary>
    Passed,
    /// <summary>Beyond tolerance, not a number, or not computable.</summary>
    Failed,
    /// <summary>Not checked: the fixture or the model does not provide the quantity (optional tensors only).</summary>
    Skipped,
}

/// <summary>One compared quantity of a golden case.</summary>
/// <param name="Name">The io tensor name (for example <c>logits</c>, <c>layer0.cema.out</c>, <c>grad.embed.weight</c>).</param>
/// <param name="Kind">What is compared.</param>
/// <param name="Value">The difference (max abs, abs or relative L2, see <see cref="Kind"/>); null when not computed.</param>
/// <param name="Tolerance">The bound it was held to.</param>
/// <param name="Status">Pass, fail or skip.</param>
/// <param name="Note">Why it was skipped or failed without a number, or extra detail; empty otherwise.</param>
public sealed record ParityCheck(string Name, ParityCheckKind Kind, double? Value, double Tolerance, ParityStatus Status, string Note = "")
{
    /// <summary>A check that has a number: passes when the number is at most the tolerance (NaN fails).</summary>
    public static ParityCheck Measured(string name, ParityCheckKind kind, double value, double tolerance, string note = "") =>
        new(name, kind, value, tolerance, value <= tolerance ? ParityStatus.Passed : ParityStatus.Failed,
            double.IsNaN(value) ? Join(note, "NaN in the difference") : note);

    /// <summary>A check that could not be computed and counts as a failure.</summary>
    public static ParityCheck Broken(string name, ParityCheckKind kind, double tolerance, string note) =>
        new(name, kind, null, tolerance, ParityStatus.Failed, note);

    /// <summary>A check left out on purpose (optional data absent).</summary>
    public static ParityCheck Skip(string name, ParityCheckKind kind, double tolerance, string note) =>
        new(name, kind, null, tolerance, ParityStatus.Skipped, note);

    /// <summary>A one-line description for logs.</summary>
    public override string ToString() =>
        $"{Name}: {(Value is { } v ? v.ToString("0.0e+00", System.Globalization.CultureInfo.InvariantCulture) : "-")} (tol {Tolerance:0.0e+00}) {Status}{(Note.Length > 0 ? " - " + Note : "")}";

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "; " + b;
}

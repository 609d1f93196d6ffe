using System.Text.Json;
using Megalodon.ML.IO;

namespace Megalodon.Bench.Continual;

/// <summary>One measured row of the experiment's table, saved as JSON when the row finishes so a crashed run resumes after it.</summary>
internal sealed record ContinualRowResult
{
    /// <summary>File-name-safe identifier, for example <c>weak-rewarm-5</c>.</summary>
    public required string Id { get; init; }
    /// <summary>The row's name in the table.</summary>
    public required string Name { get; init; }
    /// <summary>"base", "weak" or "strong".</summary>
    public required string Shift { get; init; }
    /// <summary>Final validation loss on D0 (nats per byte).</summary>
    public required double D0Loss { get; init; }
    /// <summary>Final validation loss on this shift's D1; null for the D0 rows, measured on both D1 sets there.</summary>
    public double? D1Loss { get; init; }
    /// <summary>Final loss on wikitext-2, for the D0 rows.</summary>
    public double? WeakLoss { get; init; }
    /// <summary>Final loss on linux-kernel, for the D0 rows.</summary>
    public double? StrongLoss { get; init; }
    /// <summary>Optimizer steps of this row (the continual rows add them to D0's).</summary>
    public required long Steps { get; init; }
    /// <summary>Training tokens this row consumed.</summary>
    public required long Tokens { get; init; }
    /// <summary>Of <see cref="Tokens"/>, replayed D0 tokens.</summary>
    public long ReplayTokens { get; init; }
    /// <summary>Wall time of the row's training.</summary>
    public required double Seconds { get; init; }
    /// <summary>Validation losses during continual training (step, D0, D1); empty for rows trained from scratch.</summary>
    public IReadOnlyList<double[]> Curve { get; init; } = [];

    /// <summary>Mean of the D0 and D1 losses.</summary>
    public double? Mean => D1Loss is { } d1 ? (D0Loss + d1) / 2 : null;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes the row to <c>folder/Id.json</c> (atomically, so a crash leaves no half row).</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, Id + ".json"), stream => JsonSerializer.Serialize(stream, this, Json));
    }

    /// <summary>The saved row <paramref name="id"/>, or null when it has not finished yet.</summary>
    public static ContinualRowResult? TryLoad(string folder, string id)
    {
        var path = Path.Combine(folder, id + ".json");
        return File.Exists(path) ? JsonSerializer.Deserialize<ContinualRowResult>(File.ReadAllText(path)) : null;
    }
}

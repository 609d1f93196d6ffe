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
    /// <summary>The seed of initialisation and data order (continual rows continue the base model of the same seed).</summary>
    public required int Seed { get; init; }
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
    /// <summary>Wall time of the row's training (across resumes for pretraining rows).</summary>
    public required double Seconds { get; init; }
    /// <summary>When the row finished.</summary>
    public DateTime FinishedUtc { get; init; }
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

    /// <summary>Every saved row in <paramref name="folder"/> (none when it does not exist).</summary>
    /// <exception cref="InvalidDataException">A row file is not a row (the message names the file).</exception>
    public static IReadOnlyList<ContinualRowResult> LoadAll(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).Select(path =>
        {
            try
            {
                return JsonSerializer.Deserialize<ContinualRowResult>(File.ReadAllText(path)) ?? throw new InvalidDataException($"'{path}' holds no row.");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"'{path}' is not a row of the continual experiment: {ex.Message}", ex);
            }
        }).ToList();
    }
}

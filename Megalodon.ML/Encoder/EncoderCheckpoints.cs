using System.Globalization;
using System.Text.Json;
using Megalodon.ML.Checkpoints;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// Writes and reads the checkpoints of <see cref="EncoderCheckpointSettings"/>: one safetensors file per checkpoint,
/// <c>step-NNNNNNN.safetensors</c>, holding each module's tensors under its prefix, the optimizer's moments, and the
/// step and losses in the metadata. Files are written atomically, so a crash leaves the previous checkpoint intact.
/// </summary>
internal static class EncoderCheckpoints
{
    private const string StepKey = "megalodon.encoder-step";
    private const string LossesKey = "megalodon.encoder-losses";
    private const string KindKey = "megalodon.encoder-run";

    /// <summary>Writes a checkpoint of <paramref name="modules"/> and <paramref name="optimizer"/> after <paramref name="step"/> steps.</summary>
    public static string Save(EncoderCheckpointSettings settings, string kind, int step, IReadOnlyList<(string Prefix, nn.Module Module)> modules, EncoderOptimizer optimizer)
    {
        Directory.CreateDirectory(settings.Folder);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (prefix, module) in modules)
                foreach (var (name, tensor) in ModuleState.Snapshot(module))
                    tensors[$"{prefix}.{name}"] = tensor;
            foreach (var (name, tensor) in optimizer.CaptureState())
                tensors["optimizer." + name] = tensor;
            string path = Path.Combine(settings.Folder, $"step-{step:D7}.safetensors");
            SafeTensors.Save(path, tensors, new Dictionary<string, string>
            {
                [KindKey] = kind,
                [StepKey] = step.ToString(CultureInfo.InvariantCulture),
                [LossesKey] = JsonSerializer.Serialize(optimizer.Losses),
            });
            return path;
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    /// <summary>The latest checkpoint file of the folder, or null.</summary>
    public static string? Latest(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "step-*.safetensors").Order(StringComparer.Ordinal).LastOrDefault() : null;

    /// <summary>Loads the latest checkpoint into the modules and optimizer; returns its step (0 when the folder has none).</summary>
    /// <exception cref="InvalidDataException">The checkpoint belongs to another kind of run, or its tensors do not fit.</exception>
    public static int Resume(EncoderCheckpointSettings settings, string kind, IReadOnlyList<(string Prefix, nn.Module Module)> modules, EncoderOptimizer optimizer)
    {
        if (Latest(settings.Folder) is not { } path) return 0;
        var tensors = SafeTensors.Load(path, out var metadata);
        try
        {
            if (!metadata.TryGetValue(KindKey, out var found) || found != kind)
                throw new InvalidDataException($"'{path}' is a checkpoint of a '{found ?? "unknown"}' run, not of '{kind}'.");
            int step = int.Parse(metadata[StepKey], CultureInfo.InvariantCulture);
            foreach (var (prefix, module) in modules)
            {
                var own = tensors.Where(p => p.Key.StartsWith(prefix + ".", StringComparison.Ordinal)).ToDictionary(p => p.Key[(prefix.Length + 1)..], p => p.Value);
                ModuleState.Load(module, own, $"checkpoint '{path}' ({prefix})");
            }
            var optimizerState = tensors.Where(p => p.Key.StartsWith("optimizer.", StringComparison.Ordinal)).ToDictionary(p => p.Key["optimizer.".Length..], p => p.Value);
            var losses = JsonSerializer.Deserialize<double[]>(metadata[LossesKey]) ?? [];
            optimizer.RestoreState(optimizerState, step, losses);
            return step;
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }
}

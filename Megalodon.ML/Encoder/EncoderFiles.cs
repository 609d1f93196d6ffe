using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>
/// Saves and loads the NuNER encoders as safetensors files (validated on read; see <see cref="SafeTensors"/>): the
/// weights, with the architecture and the kind of module in the metadata.
/// </summary>
public static class EncoderFiles
{
    private const string KindKey = "megalodon.kind";
    private const string ConfigKey = "megalodon.config";
    private const string TextEncoderKind = "bidirectional-encoder";
    private const string ConceptEncoderKind = "concept-encoder";

    /// <summary>Writes a text encoder to <paramref name="path"/> (atomically).</summary>
    /// <param name="path">The file.</param>
    /// <param name="encoder">The encoder.</param>
    public static void SaveEncoder(string path, BidirectionalEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Save(path, encoder.StateTensors(), TextEncoderKind, encoder.Config);
    }

    /// <summary>Reads a text encoder written by <see cref="SaveEncoder"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="device">Where to place the weights; null for the CPU.</param>
    /// <exception cref="InvalidDataException">The file is not a text encoder, or breaks the format.</exception>
    public static BidirectionalEncoder LoadEncoder(string path, Device? device = null)
    {
        var (tensors, config) = Load(path, TextEncoderKind);
        try
        {
            var encoder = new BidirectionalEncoder(config, device);
            encoder.LoadStateTensors(tensors);
            encoder.eval();
            return encoder;
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    /// <summary>Writes a concept encoder to <paramref name="path"/> (atomically).</summary>
    /// <param name="path">The file.</param>
    /// <param name="encoder">The concept encoder.</param>
    public static void SaveConceptEncoder(string path, ConceptEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Save(path, encoder.StateTensors(), ConceptEncoderKind, encoder.NameEncoder.Config);
    }

    /// <summary>Reads a concept encoder written by <see cref="SaveConceptEncoder"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="device">Where to place the weights; null for the CPU.</param>
    /// <exception cref="InvalidDataException">The file is not a concept encoder, or breaks the format.</exception>
    public static ConceptEncoder LoadConceptEncoder(string path, Device? device = null)
    {
        var (tensors, config) = Load(path, ConceptEncoderKind);
        try
        {
            var encoder = new ConceptEncoder(config, device);
            encoder.LoadStateTensors(tensors);
            encoder.eval();
            return encoder;
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    private static void Save(string path, Dictionary<string, Tensor> tensors, string kind, MegalodonConfig config)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { [KindKey] = kind, [ConfigKey] = config.ToJson() });
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    private static (Dictionary<string, Tensor> Tensors, MegalodonConfig Config) Load(string path, string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Encoder file '{path}' not found.", path);
        var tensors = SafeTensors.Load(path, out var metadata);
        if (!metadata.TryGetValue(KindKey, out var found) || found != kind || !metadata.TryGetValue(ConfigKey, out var json))
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new InvalidDataException($"'{path}' is not a saved {kind} (its metadata says '{found ?? "nothing"}').");
        }
        return (tensors, MegalodonConfig.FromJson(json));
    }
}

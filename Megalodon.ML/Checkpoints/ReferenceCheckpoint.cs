using System.Text.Json;
using System.Text.Json.Nodes;
using Megalodon.ML.IO;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// The reference implementation's checkpoint layout, both ways. Its own loader (<c>megalodon.reloading.reload_model</c>)
/// reads a folder holding <c>consolidated.pth</c> (the state dict, <c>torch.save</c>), a nested <c>config.json</c>
/// (<c>{"model": ModelConf, "tokenizer": TokenizerConf}</c>), <c>consolidate_config.json</c> (model-parallel size and
/// dtype) and the SentencePiece model the tokenizer section points at. <see cref="Export"/> writes that layout;
/// <see cref="Read"/> reads it, and every other layout <see cref="MegalodonCheckpoint.Load"/> reads, with the tokenizer.
/// </summary>
public static class ReferenceCheckpoint
{
    /// <summary>The weight files looked for, in order, in a folder without checksums.</summary>
    public static readonly IReadOnlyList<string> WeightFiles =
        [CheckpointFileNames.Model, CheckpointFileNames.ReferenceWeights, CheckpointFileNames.ConsolidatedWeights];

    /// <summary>
    /// Writes the reference layout into <paramref name="dir"/> (replaced only once complete): <c>consolidated.pth</c>
    /// through TorchSharp.PyBridge with <c>output.output.weight</c> for tied embeddings, the nested <c>config.json</c>,
    /// <c>consolidate_config.json</c>, <c>tokenizer.model</c> when the tokenizer is SentencePiece, and
    /// <c>tokenizer_spec.json</c> (any saveable tokenizer, so <see cref="Read"/> restores it). AdamW moments, when
    /// given, go to <c>optimizer.pth</c> under the reference's parameter names (<c>{name}.exp_avg</c>, ...).
    /// </summary>
    /// <param name="dir">The output folder.</param>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its tokenizer, or null.</param>
    /// <param name="optimizer">AdamW state named as in <see cref="Training.TrainingCheckpoint"/>, or null.</param>
    /// <remarks>
    /// The tokenizer section's <c>path</c> is the absolute path of the exported <c>tokenizer.model</c> (the reference
    /// asserts it exists); after moving the folder, pass <c>tokenizer_path=</c> to <c>reload_model</c>. Without a
    /// SentencePiece tokenizer the path is null: the reference's <c>reload_model</c> then needs a tokenizer given
    /// explicitly, while <c>Mega(ModelConf(**cfg["model"])).load_state_dict(torch.load("consolidated.pth"))</c> works as is.
    /// </remarks>
    public static void Export(string dir, MegalodonModel model, ModelTokenizer? tokenizer, IReadOnlyDictionary<string, Tensor>? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var final = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        var spBytes = tokenizer?.SentencePieceModelBytes;
        if (tokenizer is not null && tokenizer.VocabSize != model.Config.VocabSize)
            throw new ArgumentException($"The tokenizer's vocabulary ({tokenizer.VocabSize}) differs from the model's vocab_size ({model.Config.VocabSize}).", nameof(tokenizer));
        MegalodonCheckpoint.SaveFolder(final, writer =>
        {
            using (var scope = NewDisposeScope())
                PyTorchStateDict.Write(Path.Combine(writer.Folder, CheckpointFileNames.ConsolidatedWeights), model.ReferenceTensorViews());
            string? tokenizerPath = null;
            int additional = 0;
            if (spBytes is not null)
            {
                AtomicFile.Write(Path.Combine(writer.Folder, CheckpointFileNames.SentencePieceModel), s => s.Write(spBytes));
                tokenizerPath = Path.Combine(final, CheckpointFileNames.SentencePieceModel);
                additional = model.Config.VocabSize - SentencePieceModelFile.CountPieces(spBytes);
            }
            writer.WriteText(CheckpointFileNames.Config, NestedConfigJson(model.Config, tokenizerPath, additional));
            writer.WriteText(CheckpointFileNames.ConsolidateConfig, ConsolidateConfigJson(model));
            if (tokenizer is { CanSave: true })
                writer.WriteText(CheckpointFileNames.TokenizerSpec, tokenizer.ToSpec().ToJson());
            if (optimizer is not null)
                PyTorchStateDict.Write(Path.Combine(writer.Folder, CheckpointFileNames.OptimizerPickle), optimizer);
        }, writeChecksums: false);
    }

    /// <summary>
    /// Reads a checkpoint folder of any layout with its tokenizer: a folder written by
    /// <see cref="MegalodonCheckpoint.Save"/> or by training (checksums verified), the reference layout
    /// (<c>consolidated.pth</c>), or safetensors without checksums. The tokenizer comes from <c>tokenizer_spec.json</c>,
    /// else (for a training step folder) its run folder's <c>tokenizer.json</c>, else <c>tokenizer.model</c> in the folder, else the file
    /// the nested config's <c>tokenizer.path</c> names; null when none exists.
    /// </summary>
    /// <param name="dir">The folder.</param>
    /// <param name="device">Where the model should live; null for the CPU.</param>
    /// <exception cref="FileNotFoundException">The config or every weight file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, corrupt, or does not fit the config.</exception>
    public static (MegalodonModel Model, ModelTokenizer? Tokenizer) Read(string dir, Device? device = null)
    {
        var folder = MegalodonCheckpoint.ExistingFolderOf(dir);
        var tokenizer = ReadTokenizer(folder, null);
        var model = MegalodonCheckpoint.Load(folder, device);
        if (tokenizer is not null && tokenizer.VocabSize != model.Config.VocabSize)
        {
            // The reference pads nothing; a larger model vocabulary is a padded one, still served by this tokenizer.
            try { tokenizer = ReadTokenizer(folder, model.Config.VocabSize); }
            catch { model.Dispose(); throw; }
        }
        return (model, tokenizer);
    }

    /// <summary>
    /// Reads <c>config.json</c> of a folder (flat or nested). A <c>vocab_size</c> of -1 is filled from the folder's
    /// tokenizer (pieces plus the nested config's <c>additional_vocab_size</c>), as the reference's loader does.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder has no config.json.</exception>
    public static MegalodonConfig ReadConfig(string dir)
    {
        var path = Path.Combine(dir, CheckpointFileNames.Config);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{dir}' has no {CheckpointFileNames.Config}.", path);
        var (tokenizerPath, additional) = TokenizerSection(path);
        int? vocab = null;
        var sp = FindSentencePiece(dir, tokenizerPath);
        if (sp is not null) vocab = SentencePieceModelFile.CountPieces(File.ReadAllBytes(sp)) + additional;
        return MegalodonConfig.Load(path, vocab);
    }

    /// <summary>The first weight file of <see cref="WeightFiles"/> present in <paramref name="dir"/>.</summary>
    /// <exception cref="FileNotFoundException">None is present.</exception>
    public static string FindWeights(string dir)
    {
        foreach (var name in WeightFiles)
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"checkpoint '{dir}' holds no weights: none of {string.Join(", ", WeightFiles)} is there.");
    }

    /// <summary>The folder's tokenizer (see <see cref="Read"/>), or null.</summary>
    /// <param name="dir">The folder.</param>
    /// <param name="vocabSize">The model's vocabulary size, or null for the tokenizer's own.</param>
    public static ModelTokenizer? ReadTokenizer(string dir, int? vocabSize)
    {
        var specPath = Path.Combine(dir, CheckpointFileNames.TokenizerSpec);
        // A training step folder keeps no tokenizer of its own: its run folder describes it once for every step.
        var spec = File.Exists(specPath) ? TokenizerSpec.FromJson(File.ReadAllText(specPath)) : TrainingRunTokenizer.SpecForStepFolder(dir);
        if (spec is not null)
            return ModelTokenizer.FromSpec(vocabSize is { } v && v != spec.VocabSize ? spec with { VocabSize = v } : spec);
        var configPath = Path.Combine(dir, CheckpointFileNames.Config);
        var (tokenizerPath, _) = File.Exists(configPath) ? TokenizerSection(configPath) : (null, 0);
        var sp = FindSentencePiece(dir, tokenizerPath);
        return sp is null ? null : ModelTokenizer.SentencePieceFile(sp, vocabSize);
    }

    private static string? FindSentencePiece(string dir, string? configuredPath)
    {
        var local = Path.Combine(dir, CheckpointFileNames.SentencePieceModel);
        if (File.Exists(local)) return local;
        if (configuredPath is null) return null;
        var resolved = Path.IsPathRooted(configuredPath) ? configuredPath : Path.Combine(dir, configuredPath);
        return File.Exists(resolved) ? resolved : null;
    }

    /// <summary>The nested config's tokenizer path and additional vocabulary (null and 0 for a flat config).</summary>
    private static (string? Path, int Additional) TokenizerSection(string configPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(configPath));
            var root = document.RootElement;
            if (!MegalodonConfig.IsNested(root) || !root.TryGetProperty("tokenizer", out var t) || t.ValueKind != JsonValueKind.Object)
                return (null, 0);
            string? path = t.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            int additional = t.TryGetProperty("additional_vocab_size", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt32() : 0;
            return (path, additional);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{configPath} is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>The reference trainer's nested config: the model's <c>ModelConf</c> fields and a <c>TokenizerConf</c>.</summary>
    internal static string NestedConfigJson(MegalodonConfig config, string? tokenizerPath, int additionalVocabSize)
    {
        var root = new JsonObject
        {
            [MegalodonConfig.NestedModelKey] = JsonNode.Parse(config.ToJson()),
            ["tokenizer"] = new JsonObject
            {
                ["path"] = tokenizerPath,
                ["additional_vocab_size"] = additionalVocabSize,
                ["data_tokenized"] = false,
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string ConsolidateConfigJson(MegalodonModel model)
    {
        var dtype = model.ReferenceTensorDType() switch
        {
            ScalarType.BFloat16 => "bf16",
            ScalarType.Float16 => "fp16",
            _ => "fp32",
        };
        return new JsonObject { ["model_parallel_size"] = 1, ["dtype"] = dtype }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}

namespace Megalodon.ML.Checkpoints;

/// <summary>The fixed file names of a checkpoint folder, and the rule for extra ones.</summary>
public static class CheckpointFileNames
{
    /// <summary>The model's config, in the reference's field names.</summary>
    public const string Config = "config.json";

    /// <summary>The model's reference state dict.</summary>
    public const string Model = "model.safetensors";

    /// <summary>Free-form training-loop state (JSON text).</summary>
    public const string TrainerState = "trainer_state.json";

    /// <summary>The golden-fixture layout's weight file (no checksums).</summary>
    public const string ReferenceWeights = "weights.safetensors";

    /// <summary>The reference's consolidated weights (model-parallel size 1): a PyTorch zip pickle of the state dict.</summary>
    public const string ConsolidatedWeights = "consolidated.pth";

    /// <summary>The reference's marker of a consolidated checkpoint: model-parallel size and dtype.</summary>
    public const string ConsolidateConfig = "consolidate_config.json";

    /// <summary>A SentencePiece tokenizer model, as the reference's loader reads it.</summary>
    public const string SentencePieceModel = "tokenizer.model";

    /// <summary>This library's description of any tokenizer it can save (<see cref="Tokenization.TokenizerSpec"/> JSON).</summary>
    public const string TokenizerSpec = "tokenizer_spec.json";

    /// <summary>AdamW moments under the reference's parameter names, as safetensors (<c>{name}.exp_avg</c>, <c>.exp_avg_sq</c>, <c>.step</c>).</summary>
    public const string Optimizer = "optimizer.safetensors";

    /// <summary>The same AdamW moments as a PyTorch pickle, for the reference side.</summary>
    public const string OptimizerPickle = "optimizer.pth";

    /// <summary>Extension of tensor files.</summary>
    public const string TensorExtension = ".safetensors";

    /// <summary>
    /// Accepts only plain names (letters, digits, '.', '_', '-'; not starting with '.'), so an extra file can never
    /// escape the checkpoint folder or replace <c>checksums.json</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a plain file name or is reserved.</exception>
    public static void Check(string fileName)
    {
        if (string.IsNullOrEmpty(fileName) || fileName.Length > 200 || fileName[0] == '.'
            || !fileName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw new ArgumentException($"'{fileName}' is not a plain checkpoint file name (letters, digits, '.', '_', '-'; not starting with '.').", nameof(fileName));
        if (fileName == CheckpointChecksums.FileName)
            throw new ArgumentException($"'{CheckpointChecksums.FileName}' is written by the checkpoint itself.", nameof(fileName));
    }

    /// <summary>The file name for a named tensor file: <paramref name="name"/> plus <c>.safetensors</c> unless present.</summary>
    public static string ForTensors(string name)
    {
        var fileName = name.EndsWith(TensorExtension, StringComparison.Ordinal) ? name : name + TensorExtension;
        Check(fileName);
        return fileName;
    }
}

using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// Writes a model with its tokenizer (and, from a training checkpoint, its AdamW state) as a checkpoint folder of
/// either layout, and converts one checkpoint folder into another. The <c>megalodon export</c> verb is a thin shell over it.
/// </summary>
public static class CheckpointExport
{
    /// <summary>Writes <paramref name="model"/> as a checkpoint folder in <paramref name="format"/>.</summary>
    /// <param name="dir">The output folder (replaced only once complete).</param>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its tokenizer, or null (then the folder holds none).</param>
    /// <param name="format">The layout.</param>
    /// <param name="optimizer">AdamW state named as in <see cref="Training.TrainingCheckpoint"/> (<c>{name}.exp_avg</c>, ...), or null.</param>
    /// <param name="trainerStateJson">The trainer state of a training checkpoint (Megalodon layout only), or null.</param>
    public static void Write(string dir, MegalodonModel model, ModelTokenizer? tokenizer, CheckpointFormat format,
        IReadOnlyDictionary<string, Tensor>? optimizer = null, string? trainerStateJson = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (format == CheckpointFormat.Reference)
        {
            ReferenceCheckpoint.Export(dir, model, tokenizer, optimizer);
            return;
        }
        if (tokenizer is not null && !tokenizer.CanSave)
            throw new NotSupportedException("The tokenizer cannot be described for saving; export needs a byte-level, tiktoken, BPE or SentencePiece tokenizer.");
        var spBytes = tokenizer?.SentencePieceModelBytes;
        MegalodonCheckpoint.Save(dir, model, writer =>
        {
            if (tokenizer is not null) writer.WriteText(CheckpointFileNames.TokenizerSpec, tokenizer.ToSpec().ToJson());
            if (spBytes is not null)
                IO.AtomicFile.Write(Path.Combine(writer.Folder, CheckpointFileNames.SentencePieceModel), s => s.Write(spBytes));
            if (optimizer is not null) writer.WriteTensors(CheckpointFileNames.Optimizer, optimizer);
            if (trainerStateJson is not null) writer.WriteText(CheckpointFileNames.TrainerState, trainerStateJson);
        });
    }

    /// <summary>
    /// Converts a checkpoint folder of any readable layout (see <see cref="ReferenceCheckpoint.Read"/>) into
    /// <paramref name="format"/>, carrying its tokenizer, its AdamW state (<c>optimizer.safetensors</c>, as training
    /// checkpoints hold it) and its trainer state.
    /// </summary>
    /// <param name="sourceDir">The checkpoint folder to read.</param>
    /// <param name="format">The layout to write.</param>
    /// <param name="outDir">The output folder.</param>
    public static void Convert(string sourceDir, CheckpointFormat format, string outDir)
    {
        var (model, tokenizer) = ReferenceCheckpoint.Read(sourceDir);
        using (model)
        {
            var folder = Path.GetFullPath(sourceDir);
            Dictionary<string, Tensor>? optimizer = null;
            try
            {
                if (File.Exists(Path.Combine(folder, CheckpointFileNames.Optimizer)))
                    optimizer = HasChecksums(folder)
                        ? MegalodonCheckpoint.LoadTensors(folder, CheckpointFileNames.Optimizer)
                        : SafeTensors.Load(Path.Combine(folder, CheckpointFileNames.Optimizer));
                else if (File.Exists(Path.Combine(folder, CheckpointFileNames.OptimizerPickle)))
                    optimizer = PyTorchStateDict.Read(Path.Combine(folder, CheckpointFileNames.OptimizerPickle));
                string? trainerState = HasChecksums(folder) ? MegalodonCheckpoint.LoadTrainerState(folder) : null;
                Write(outDir, model, tokenizer, format, optimizer, trainerState);
            }
            finally
            {
                if (optimizer is not null) foreach (var t in optimizer.Values) t.Dispose();
            }
        }
    }

    private static bool HasChecksums(string folder) => File.Exists(Path.Combine(folder, CheckpointChecksums.FileName));
}

using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Interop;

/// <summary>Models and checkpoint folders for the interop tests.</summary>
internal static class InteropModels
{
    /// <summary>A model whose every parameter carries signal (zero-initialised ones would hide a parameter that is not carried).</summary>
    public static MegalodonModel Create(MegalodonConfig config, int seed)
    {
        torch.manual_seed(seed);
        var model = new MegalodonModel(config);
        using var noGrad = torch.no_grad();
        foreach (var (_, p) in model.named_parameters())
        {
            using var noise = torch.randn_like(p) * 0.05;
            p.add_(noise);
        }
        return model;
    }

    /// <summary>A language-model transformer over <paramref name="model"/> (the caller keeps owning the model).</summary>
    public static MegalodonLanguageModelTransformer Transformer(MLContext ml, MegalodonModel model, ModelTokenizer tokenizer) =>
        new(ml.Transforms.Megalodon().Environment, model, tokenizer, new LanguageModelScoringOptions());

    /// <summary>
    /// Trains <paramref name="model"/> one step with a checkpoint at that step; returns the step folder. The model then
    /// holds exactly the checkpoint's weights.
    /// </summary>
    public static string TrainingStepFolder(MegalodonModel model, string root)
    {
        var tokens = Enumerable.Range(0, 400).Select(i => (i * 7 + 3) % model.Config.VocabSize).ToArray();
        var options = new LanguageModelTrainerOptions
        {
            BatchSize = 2, SequenceLength = 8, TotalSteps = 1, CheckpointInterval = 1, CheckpointFolder = root, Seed = 3,
            Schedule = new ConstantSchedule(1e-3),
        };
        using (var trainer = new LanguageModelTrainer(model, options, new PackedTokenWindowSource(tokens, sequenceLength: 8, seed: 1)))
            trainer.Train();
        model.eval();
        return new FolderCheckpointStore(root).FolderOf(1);
    }

    /// <summary>Runs <paramref name="action"/> on <paramref name="dir"/>, or on a copy given the tokenizer when the folder holds none.</summary>
    public static void WithTokenizer(string dir, ModelTokenizer tokenizer, Action<string> action, ScratchFolder scratch)
    {
        if (ReferenceCheckpoint.ReadTokenizer(dir, null) is not null)
        {
            action(dir);
            return;
        }
        var copy = scratch.File($"with-tokenizer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(dir))
            if (Path.GetFileName(file) != CheckpointChecksums.FileName) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(copy, CheckpointFileNames.TokenizerSpec), tokenizer.ToSpec().ToJson());
        action(copy);
    }
}

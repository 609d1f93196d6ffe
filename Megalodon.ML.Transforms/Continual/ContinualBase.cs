using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Pretraining;
using TorchSharp;

namespace Megalodon.ML.Transforms.Continual;

/// <summary>
/// The model a continual run starts from: a fitted language model, a checkpoint folder of a pretraining run, or both
/// (weights from the model, optimizer state from the checkpoint), checked to describe the same network and tokenizer.
/// </summary>
internal sealed class ContinualBase : IDisposable
{
    private readonly MegalodonLanguageModelTransformer? _model;

    private ContinualBase(MegalodonConfig config, ModelTokenizer tokenizer, TrainingDataRecord? record,
        MegalodonLanguageModelTransformer? model, TrainingCheckpoint? checkpoint)
    {
        Config = config;
        Tokenizer = tokenizer;
        DataRecord = record;
        _model = model;
        Checkpoint = checkpoint;
    }

    public MegalodonConfig Config { get; }
    public ModelTokenizer Tokenizer { get; }
    public TrainingDataRecord? DataRecord { get; }
    /// <summary>The checkpoint, when one was given (its optimizer state can be kept).</summary>
    public TrainingCheckpoint? Checkpoint { get; }
    public LanguageModelScoringOptions? Scoring => _model?.Scoring;

    /// <exception cref="ArgumentException">Nothing to start from, or the pieces do not fit together.</exception>
    /// <param name="o">The estimator's options.</param>
    /// <param name="baseModel">The fitted or loaded base model; null when only a checkpoint is given.</param>
    public static ContinualBase Resolve(ContinualPretrainEstimator.Options o, MegalodonLanguageModelTransformer? baseModel)
    {
        if (baseModel is null && o.BaseCheckpointFolder is null)
            throw new ArgumentException("Give the base model to continue from: BaseModel (a fitted language model) or BaseCheckpointFolder.");
        if (!o.ResetOptimizerState && o.BaseCheckpointFolder is null)
            throw new ArgumentException("ResetOptimizerState is false, but a fitted model holds no optimizer state: give BaseCheckpointFolder (a checkpoint of the base run) too.");
        if (o.BaseCheckpointFolder is not { } folder)
        {
            var m = baseModel!;
            CheckTokenizer(o.Tokenizer, m.Tokenizer, "the given Tokenizer", "the base model's");
            return new ContinualBase(m.Model.Config, m.Tokenizer, m.DataRecord, m, null);
        }

        var configPath = TrainingRunFolder.ConfigPath(folder);
        if (!File.Exists(configPath))
            throw new ArgumentException($"The checkpoint folder '{folder}' has no config.json: it was not written by pretraining, so the network is unknown.");
        var config = MegalodonConfig.Load(configPath);
        var tokenizer = TrainingRunFolder.ReadTokenizer(folder) ?? o.Tokenizer ?? baseModel?.Tokenizer
            ?? throw new ArgumentException($"The checkpoint folder '{folder}' does not describe its tokenizer; give Tokenizer.");
        if (baseModel is { } model)
        {
            if (model.Model.Config.ToJson() != config.ToJson())
                throw new ArgumentException($"The base model's config differs from the checkpoint's ('{configPath}'): they are not the same network.");
            CheckTokenizer(model.Tokenizer, tokenizer, "the base model's tokenizer", "the checkpoint's");
        }
        CheckTokenizer(o.Tokenizer, tokenizer, "the given Tokenizer", "the checkpoint's");
        var store = new FolderCheckpointStore(folder);
        var steps = store.ListSteps();
        if (steps.Count == 0)
            throw new ArgumentException($"The checkpoint folder '{folder}' holds no checkpoint.");
        var step = o.BaseCheckpointStep ?? steps[^1];
        if (!steps.Contains(step))
            throw new ArgumentException($"The checkpoint folder '{folder}' has no checkpoint of step {step} (it has {string.Join(", ", steps)}).");
        var checkpoint = store.Load(step);
        return new ContinualBase(config, tokenizer, baseModel?.DataRecord ?? checkpoint.State.DataRecord, baseModel, checkpoint);
    }

    /// <summary>Copies the base weights into <paramref name="model"/> (a fresh network of <see cref="Config"/>).</summary>
    public void CopyWeightsTo(MegalodonModel model)
    {
        if (_model is not null)
        {
            var target = model.state_dict();
            using var noGrad = torch.no_grad();
            foreach (var (name, tensor) in _model.Model.state_dict())
                target[name].copy_(tensor);
            return;
        }
        try
        {
            Checkpoint!.CopyModelTo(model);
        }
        catch (InvalidDataException ex)
        {
            throw new ArgumentException($"The checkpoint's weights do not fit its config.json: {ex.Message}", ex);
        }
    }

    private static void CheckTokenizer(ModelTokenizer? given, ModelTokenizer actual, string givenName, string actualName)
    {
        if (given is null) return;
        var same = given.VocabSize == actual.VocabSize && given.EndOfTextId == actual.EndOfTextId
            && (!given.CanSave || !actual.CanSave || given.ToSpec().ToJson() == actual.ToSpec().ToJson());
        if (!same)
            throw new ArgumentException(
                $"{char.ToUpperInvariant(givenName[0])}{givenName[1..]} (vocabulary {given.VocabSize}, end-of-text {given.EndOfTextId}) differs from {actualName} (vocabulary {actual.VocabSize}, end-of-text {actual.EndOfTextId}).");
    }

    public void Dispose() => Checkpoint?.Dispose();
}

using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Continual;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;

namespace Megalodon.ML.Transforms;

/// <summary>Catalog methods for <see cref="ContinualPretrainEstimator"/>.</summary>
public static class ContinualPretrainCatalog
{
    /// <summary>Continues pretraining <paramref name="baseModel"/> on a text column of new documents.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="baseModel">The fitted language model to continue (not changed).</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="maxSteps">Optimizer steps (new and replayed data together).</param>
    /// <param name="maxLearningRate">Peak learning rate of the schedule.</param>
    /// <param name="schedule">Re-warm + re-decay, constant, Cosine-Inf or InvSqrt-Inf.</param>
    /// <param name="replayData">The documents the base model was trained on, for replay.</param>
    /// <param name="replayFraction">Share of every batch replayed from <paramref name="replayData"/>, in [0, 1).</param>
    /// <param name="validationSets">Named validation sets, for example "old" and "new".</param>
    /// <param name="batchSize">Windows per step.</param>
    /// <param name="seed">Seed of the new data's order; null derives it from the MLContext.</param>
    public static ContinualPretrainEstimator ContinualPretrain(this MegalodonCatalog catalog, MegalodonLanguageModelTransformer baseModel,
        string textColumnName = "Text", long maxSteps = 1000, double maxLearningRate = 3e-4,
        ContinualScheduleKind schedule = ContinualScheduleKind.ReWarmReDecay, IDataView? replayData = null, double replayFraction = 0,
        IReadOnlyDictionary<string, IDataView>? validationSets = null, int batchSize = 8, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(baseModel);
        var options = SimpleOptions(textColumnName, maxSteps, maxLearningRate, schedule, replayData, replayFraction, validationSets, batchSize, seed);
        options.BaseModel = baseModel;
        return new ContinualPretrainEstimator(catalog.Environment, options);
    }

    /// <summary>
    /// Continues pretraining a base model saved with <c>mlContext.Model.Save</c> (loaded by Fit: the pipeline composes
    /// before anything is fitted) on a text column of new documents.
    /// </summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="baseModelPath">The saved base model's file.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="maxSteps">Optimizer steps (new and replayed data together).</param>
    /// <param name="maxLearningRate">Peak learning rate of the schedule.</param>
    /// <param name="schedule">Re-warm + re-decay, constant, Cosine-Inf or InvSqrt-Inf.</param>
    /// <param name="replayData">The documents the base model was trained on, for replay.</param>
    /// <param name="replayFraction">Share of every batch replayed from <paramref name="replayData"/>, in [0, 1).</param>
    /// <param name="validationSets">Named validation sets, for example "old" and "new".</param>
    /// <param name="batchSize">Windows per step.</param>
    /// <param name="seed">Seed of the new data's order; null derives it from the MLContext.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static ContinualPretrainEstimator ContinualPretrain(this MegalodonCatalog catalog, string baseModelPath,
        string textColumnName = "Text", long maxSteps = 1000, double maxLearningRate = 3e-4,
        ContinualScheduleKind schedule = ContinualScheduleKind.ReWarmReDecay, IDataView? replayData = null, double replayFraction = 0,
        IReadOnlyDictionary<string, IDataView>? validationSets = null, int batchSize = 8, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseModelPath);
        var options = SimpleOptions(textColumnName, maxSteps, maxLearningRate, schedule, replayData, replayFraction, validationSets, batchSize, seed);
        options.BaseModelPath = baseModelPath;
        return new ContinualPretrainEstimator(catalog.Environment, options);
    }

    /// <summary>As the path overload, with the saved base model read from <paramref name="baseModel"/> (read to its end now).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="baseModel">A stream holding a model saved with <c>mlContext.Model.Save</c>.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="maxSteps">Optimizer steps (new and replayed data together).</param>
    /// <param name="maxLearningRate">Peak learning rate of the schedule.</param>
    /// <param name="schedule">Re-warm + re-decay, constant, Cosine-Inf or InvSqrt-Inf.</param>
    /// <param name="replayData">The documents the base model was trained on, for replay.</param>
    /// <param name="replayFraction">Share of every batch replayed from <paramref name="replayData"/>, in [0, 1).</param>
    /// <param name="validationSets">Named validation sets, for example "old" and "new".</param>
    /// <param name="batchSize">Windows per step.</param>
    /// <param name="seed">Seed of the new data's order; null derives it from the MLContext.</param>
    public static ContinualPretrainEstimator ContinualPretrain(this MegalodonCatalog catalog, Stream baseModel,
        string textColumnName = "Text", long maxSteps = 1000, double maxLearningRate = 3e-4,
        ContinualScheduleKind schedule = ContinualScheduleKind.ReWarmReDecay, IDataView? replayData = null, double replayFraction = 0,
        IReadOnlyDictionary<string, IDataView>? validationSets = null, int batchSize = 8, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var options = SimpleOptions(textColumnName, maxSteps, maxLearningRate, schedule, replayData, replayFraction, validationSets, batchSize, seed);
        options.SavedBaseModel = SavedLanguageModel.FromStream(baseModel);
        return new ContinualPretrainEstimator(catalog.Environment, options);
    }

    /// <summary>The options of the simple overloads, without the base model.</summary>
    private static ContinualPretrainEstimator.Options SimpleOptions(string textColumnName, long maxSteps, double maxLearningRate, ContinualScheduleKind schedule,
        IDataView? replayData, double replayFraction, IReadOnlyDictionary<string, IDataView>? validationSets, int batchSize, int? seed) => new()
    {
        TextColumnName = textColumnName,
        MaxSteps = maxSteps,
        ScheduleKind = schedule,
        ScheduleSettings = new ContinualScheduleSettings { MaxLearningRate = maxLearningRate },
        ReplayData = replayData,
        ReplayFraction = replayFraction,
        ValidationSets = validationSets,
        BatchSize = batchSize,
        Seed = seed,
    };

    /// <summary>Continues pretraining as set in <paramref name="options"/> (base model or checkpoint, replay, schedule, validation sets).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="options">All settings.</param>
    public static ContinualPretrainEstimator ContinualPretrain(this MegalodonCatalog catalog, ContinualPretrainEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ContinualPretrainEstimator(catalog.Environment, options);
    }
}

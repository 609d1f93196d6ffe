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
        return new ContinualPretrainEstimator(catalog.Environment, new ContinualPretrainEstimator.Options
        {
            BaseModel = baseModel,
            TextColumnName = textColumnName,
            MaxSteps = maxSteps,
            ScheduleKind = schedule,
            ScheduleSettings = new ContinualScheduleSettings { MaxLearningRate = maxLearningRate },
            ReplayData = replayData,
            ReplayFraction = replayFraction,
            ValidationSets = validationSets,
            BatchSize = batchSize,
            Seed = seed,
        });
    }

    /// <summary>Continues pretraining as set in <paramref name="options"/> (base model or checkpoint, replay, schedule, validation sets).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="options">All settings.</param>
    public static ContinualPretrainEstimator ContinualPretrain(this MegalodonCatalog catalog, ContinualPretrainEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ContinualPretrainEstimator(catalog.Environment, options);
    }
}

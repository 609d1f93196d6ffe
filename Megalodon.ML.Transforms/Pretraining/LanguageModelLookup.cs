using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;

namespace Megalodon.ML.Transforms;

/// <summary>
/// Reaches the language model inside a fitted or loaded pipeline, so that an app can generate, chat or embed with the
/// model it just reloaded with <c>mlContext.Model.Load</c> (which returns a <c>TransformerChain</c>).
/// </summary>
public static class LanguageModelLookup
{
    /// <summary>
    /// The Megalodon language model in <paramref name="transformer"/>: the transformer itself, or the first one found in
    /// a <c>TransformerChain</c> (nested chains included, in pipeline order).
    /// </summary>
    /// <param name="transformer">A fitted or loaded model.</param>
    /// <exception cref="InvalidOperationException">The pipeline holds no Megalodon language model.</exception>
    public static MegalodonLanguageModelTransformer GetMegalodonLanguageModel(this ITransformer transformer) =>
        FindMegalodonLanguageModel(transformer)
        ?? throw new InvalidOperationException($"The model ({transformer.GetType().Name}) holds no Megalodon language model: it was not fitted from a Pretrain or ContinualPretrain estimator.");

    /// <summary>As <see cref="GetMegalodonLanguageModel"/>, or null when the pipeline holds none.</summary>
    /// <param name="transformer">A fitted or loaded model.</param>
    public static MegalodonLanguageModelTransformer? FindMegalodonLanguageModel(this ITransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return transformer switch
        {
            MegalodonLanguageModelTransformer model => model,
            IEnumerable<ITransformer> chain => chain.Select(FindMegalodonLanguageModel).FirstOrDefault(m => m is not null),
            _ => null,
        };
    }
}

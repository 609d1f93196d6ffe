using Megalodon.ML.Probing;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Probing;

namespace Megalodon.ML.Transforms;

/// <summary>Catalog methods for layer activations, layer probes and steering.</summary>
public static class ProbingCatalog
{
    /// <summary>Adds one float vector column per layer with a text's layer outputs from a fitted language model.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="languageModel">The network.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="layers">Layers (0-based); null for all.</param>
    /// <param name="position">Last token (the paper) or mean.</param>
    public static LayerActivationsEstimator LayerActivations(this MegalodonCatalog catalog, MegalodonLanguageModelTransformer languageModel,
        string textColumnName = "Text", IReadOnlyList<int>? layers = null, ActivationPosition position = ActivationPosition.Last)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LayerActivationsEstimator(catalog.Environment, new LayerActivationsEstimator.Options
        {
            LanguageModel = languageModel, TextColumnName = textColumnName, Layers = layers, Position = position,
        });
    }

    /// <summary>
    /// Adds one float vector column per layer with a text's layer outputs from a language model saved with
    /// <c>mlContext.Model.Save</c>, loaded by Fit: the pipeline composes before anything is fitted.
    /// </summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="languageModelPath">The saved model's file.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="layers">Layers (0-based); null for all.</param>
    /// <param name="position">Last token (the paper) or mean.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static LayerActivationsEstimator LayerActivations(this MegalodonCatalog catalog, string languageModelPath,
        string textColumnName = "Text", IReadOnlyList<int>? layers = null, ActivationPosition position = ActivationPosition.Last)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LayerActivationsEstimator(catalog.Environment, new LayerActivationsEstimator.Options
        {
            LanguageModelPath = languageModelPath, TextColumnName = textColumnName, Layers = layers, Position = position,
        });
    }

    /// <summary>As the path overload, with the saved model read from <paramref name="languageModel"/> (read to its end now).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="languageModel">A stream holding a model saved with <c>mlContext.Model.Save</c>.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="layers">Layers (0-based); null for all.</param>
    /// <param name="position">Last token (the paper) or mean.</param>
    public static LayerActivationsEstimator LayerActivations(this MegalodonCatalog catalog, Stream languageModel,
        string textColumnName = "Text", IReadOnlyList<int>? layers = null, ActivationPosition position = ActivationPosition.Last)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LayerActivationsEstimator(catalog.Environment, new LayerActivationsEstimator.Options
        {
            SavedLanguageModel = SavedLanguageModel.FromStream(languageModel), TextColumnName = textColumnName, Layers = layers, Position = position,
        });
    }

    /// <summary>Adds layer-output columns as set in <paramref name="options"/> (a fitted model or a list of checkpoints).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="options">Network(s), columns, layers, position, steering.</param>
    public static LayerActivationsEstimator LayerActivations(this MegalodonCatalog catalog, LayerActivationsEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LayerActivationsEstimator(catalog.Environment, options);
    }

    /// <summary>Trains a standardised L-BFGS logistic-regression probe per activation column on a Boolean label.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="featureColumnNames">The activation columns; null for every float vector column.</param>
    public static LayerProbeEstimator ProbeLayers(this MegalodonCatalog catalog, string labelColumnName = "Label", IReadOnlyList<string>? featureColumnNames = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LayerProbeEstimator(catalog.Environment, new LayerProbeEstimator.Options { LabelColumnName = labelColumnName, FeatureColumnNames = featureColumnNames });
    }

    /// <summary>Trains layer probes as set in <paramref name="options"/>.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="options">Label, columns, regularisation, iterations.</param>
    public static LayerProbeEstimator ProbeLayers(this MegalodonCatalog catalog, LayerProbeEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LayerProbeEstimator(catalog.Environment, options);
    }

    /// <summary>Steers a language model at one layer with a vector computed from labelled texts.</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="languageModel">The model steered (its own activations give the vector).</param>
    /// <param name="layer">The layer (0-based).</param>
    /// <param name="strength">α; negative moves away from label true.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="labelColumnName">The Boolean label column of the fitting data.</param>
    public static SteeringEstimator Steer(this MegalodonCatalog catalog, MegalodonLanguageModelTransformer languageModel, int layer, double strength,
        string textColumnName = "Text", string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SteeringEstimator(catalog.Environment, new SteeringEstimator.Options
        {
            LanguageModel = languageModel, Layer = layer, Strength = strength, TextColumnName = textColumnName, LabelColumnName = labelColumnName,
        });
    }

    /// <summary>
    /// Steers a language model saved with <c>mlContext.Model.Save</c> (loaded by Fit: the pipeline composes before
    /// anything is fitted) at one layer with a vector computed from labelled texts.
    /// </summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="languageModelPath">The saved model's file.</param>
    /// <param name="layer">The layer (0-based).</param>
    /// <param name="strength">α; negative moves away from label true.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="labelColumnName">The Boolean label column of the fitting data.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static SteeringEstimator Steer(this MegalodonCatalog catalog, string languageModelPath, int layer, double strength,
        string textColumnName = "Text", string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SteeringEstimator(catalog.Environment, new SteeringEstimator.Options
        {
            LanguageModelPath = languageModelPath, Layer = layer, Strength = strength, TextColumnName = textColumnName, LabelColumnName = labelColumnName,
        });
    }

    /// <summary>As the path overload, with the saved model read from <paramref name="languageModel"/> (read to its end now).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="languageModel">A stream holding a model saved with <c>mlContext.Model.Save</c>.</param>
    /// <param name="layer">The layer (0-based).</param>
    /// <param name="strength">α; negative moves away from label true.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="labelColumnName">The Boolean label column of the fitting data.</param>
    public static SteeringEstimator Steer(this MegalodonCatalog catalog, Stream languageModel, int layer, double strength,
        string textColumnName = "Text", string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SteeringEstimator(catalog.Environment, new SteeringEstimator.Options
        {
            SavedLanguageModel = SavedLanguageModel.FromStream(languageModel), Layer = layer, Strength = strength, TextColumnName = textColumnName, LabelColumnName = labelColumnName,
        });
    }

    /// <summary>Steers a language model as set in <paramref name="options"/> (source checkpoint, position, generation).</summary>
    /// <param name="catalog">From <c>mlContext.Transforms.Megalodon()</c>.</param>
    /// <param name="options">Model, source, layer, strength, position, columns.</param>
    public static SteeringEstimator Steer(this MegalodonCatalog catalog, SteeringEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SteeringEstimator(catalog.Environment, options);
    }
}

using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Megalodon.ML.Transforms.EncoderPretraining;

/// <summary>What the two encoder pretraining estimators share: the output schema, the named shapes and the token budget.</summary>
internal static class EncoderPretrainingSchema
{
    /// <summary>The input schema (the text column checked) plus a float-vector features column.</summary>
    public static SchemaShape WithFeatures(IExceptionContext host, SchemaShape input, string textColumn, string featuresColumn)
    {
        host.CheckValue(input, nameof(input));
        TextColumn.CheckSchema(host, input, textColumn);
        var columns = input.ToDictionary(c => c.Name);
        columns[featuresColumn] = new SchemaShape.Column(featuresColumn, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }

    /// <summary>An encoder shape by name.</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static MegalodonConfig Preset(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => EncoderPresets.Tiny(),
        "small" => EncoderPresets.Small(),
        "base" => EncoderPresets.Base(),
        _ => throw new ArgumentException($"Unknown encoder preset '{name}': use tiny, small or base."),
    };
}

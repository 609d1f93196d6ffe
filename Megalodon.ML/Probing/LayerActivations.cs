namespace Megalodon.ML.Probing;

/// <summary>
/// Per-text activations of some layers of a model: <c>Values[k][row]</c> is the <see cref="Layers"/>[k] output of text
/// <c>row</c>, a vector of the model width.
/// </summary>
public sealed class LayerActivations
{
    /// <summary>Wraps computed activations.</summary>
    /// <param name="layers">The layer of each entry of <paramref name="values"/>.</param>
    /// <param name="values">Per layer, per row, one vector.</param>
    public LayerActivations(IReadOnlyList<int> layers, IReadOnlyList<float[][]> values)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(values);
        if (layers.Count != values.Count)
            throw new ArgumentException($"{layers.Count} layers but {values.Count} activation sets.");
        Layers = layers;
        Values = values;
    }

    /// <summary>The layers, in the order of <see cref="Values"/>.</summary>
    public IReadOnlyList<int> Layers { get; }

    /// <summary>Per layer, per row, the activation vector.</summary>
    public IReadOnlyList<float[][]> Values { get; }

    /// <summary>The rows (texts).</summary>
    public int RowCount => Values.Count == 0 ? 0 : Values[0].Length;

    /// <summary>The activations of <paramref name="layer"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The layer was not extracted.</exception>
    public float[][] OfLayer(int layer)
    {
        for (int k = 0; k < Layers.Count; k++)
            if (Layers[k] == layer) return Values[k];
        throw new ArgumentOutOfRangeException(nameof(layer), layer, $"Layer {layer} was not extracted (have {string.Join(", ", Layers)}).");
    }
}

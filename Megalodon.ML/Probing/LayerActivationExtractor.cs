using Megalodon.ML.Inference;
using Megalodon.ML.Model;
using static TorchSharp.torch;

namespace Megalodon.ML.Probing;

/// <summary>
/// Reads the output hidden states of chosen layers of a <see cref="MegalodonModel"/> for token sequences, pooled to
/// one vector per sequence (the last token, as the paper's probes, or the mean). Sequences run together as one
/// right-padded batch; the model is causal, so padding changes nothing before it. An <see cref="LayerIntervention"/>
/// passed to <see cref="Extract"/> (steering) applies, and the activations read are the ones after it.
/// </summary>
public sealed class LayerActivationExtractor
{
    private readonly MegalodonModel _model;
    private readonly int[] _layers;
    private readonly ActivationPosition _position;
    private readonly int? _startToken;

    /// <summary>Creates an extractor.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layers">Layers to read (0-based block indices); null for all.</param>
    /// <param name="position">Last token or mean over tokens.</param>
    /// <param name="startTokenId">A token fed before every sequence (the end-of-text separator the model was trained with); it is never pooled. Null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">A layer is outside the model, or repeated.</exception>
    public LayerActivationExtractor(MegalodonModel model, IReadOnlyList<int>? layers, ActivationPosition position, int? startTokenId)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _layers = CheckLayers(layers, model.Config.NumLayers);
        if (!Enum.IsDefined(position)) throw new ArgumentOutOfRangeException(nameof(position), position, "Unknown activation position.");
        _position = position;
        _startToken = startTokenId;
    }

    /// <summary>The layers read, in output order.</summary>
    public IReadOnlyList<int> Layers => _layers;

    /// <summary>
    /// Checks a layer selection against a model of <paramref name="layerCount"/> layers; null selects all of them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A layer index is negative, too large, or repeated; the message gives the valid range.</exception>
    public static int[] CheckLayers(IReadOnlyList<int>? layers, int layerCount)
    {
        if (layers is null) return Enumerable.Range(0, layerCount).ToArray();
        if (layers.Count == 0) throw new ArgumentOutOfRangeException(nameof(layers), "Select at least one layer (or none, for all).");
        foreach (int layer in layers)
            if (layer < 0 || layer >= layerCount)
                throw new ArgumentOutOfRangeException(nameof(layers), layer, $"Layer index {layer} is out of range: the model has {layerCount} layers, 0 to {layerCount - 1}.");
        if (layers.Distinct().Count() != layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layers), $"Layer indices repeat: {string.Join(", ", layers)}.");
        return layers.ToArray();
    }

    /// <summary>Activations of every sequence, in input order.</summary>
    /// <param name="sequences">Token ids per sequence.</param>
    /// <param name="intervention">Changes layer outputs during this call only (steering), before they are read; null for none.</param>
    /// <exception cref="ArgumentException">A sequence is empty or holds ids outside the vocabulary.</exception>
    public LayerActivations Extract(IReadOnlyList<IReadOnlyList<int>> sequences, LayerIntervention? intervention = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var rows = sequences.Select((s, i) => PaddedTokenBatch.Prepare(s, i, _model.Config.VocabSize, _startToken, "it has no activations")).ToList();
        var values = _layers.Select(_ => new float[rows.Count][]).ToArray();
        if (rows.Count == 0) return new LayerActivations(_layers, values);

        // Pooled positions: the real tokens after the start token (a lone start token never happens: texts are non-empty).
        int first = _startToken is null ? 0 : 1;

        using var batchScope = NewDisposeScope();
        var (tokens, last) = PaddedTokenBatch.Build(rows, _model);
        var capture = new Capture(intervention, _layers, _position, last, first, (int)tokens.shape[1]);
        bool wasTraining = _model.training;
        if (wasTraining) _model.eval();
        try
        {
            using var noGrad = no_grad();
            _model.ForwardHidden(tokens, last, capture);
        }
        finally
        {
            if (wasTraining) _model.train();
        }
        for (int k = 0; k < _layers.Length; k++)
        {
            var pooled = capture.Pooled[k] ?? throw new InvalidOperationException($"Layer {_layers[k]} produced no output.");
            int width = pooled.Length / rows.Count;
            for (int r = 0; r < rows.Count; r++)
                values[k][r] = pooled.AsSpan(r * width, width).ToArray();
        }
        return new LayerActivations(_layers, values);
    }

    /// <summary>Runs the model's own intervention, then pools the result of the selected layers.</summary>
    private sealed class Capture(LayerIntervention? inner, int[] layers, ActivationPosition position, long[] last, int first, int padded) : LayerIntervention
    {
        public float[]?[] Pooled { get; } = new float[layers.Length][];

        public override Tensor Apply(int layerIndex, Tensor output, InterventionContext context)
        {
            var result = inner is null ? output : inner.Apply(layerIndex, output, context);
            int k = Array.IndexOf(layers, layerIndex);
            if (k < 0) return result;
            using var scope = NewDisposeScope();
            Tensor pooled;
            if (position == ActivationPosition.Last)
            {
                var index = tensor(last).to(result.device).view(-1, 1, 1).expand(-1, 1, result.shape[2]);
                pooled = result.gather(1, index).squeeze(1);
            }
            else
            {
                var positions = arange(padded, device: result.device).unsqueeze(0);
                var mask = (positions >= first).logical_and(positions <= tensor(last).to(result.device).unsqueeze(1)).to_type(ScalarType.Float32);
                var sum = (result.to_type(ScalarType.Float32) * mask.unsqueeze(2)).sum(dim: 1);
                pooled = sum / mask.sum(dim: 1, keepdim: true);
            }
            Pooled[k] = pooled.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
            return result;
        }
    }
}

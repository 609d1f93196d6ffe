using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Probing;

/// <summary>
/// Adds <c>strength · v</c> to the output of one layer (a <see cref="SteeringVector"/> v), at the last position or at
/// every position. Pass it to the calls that should be steered (scoring, activation reading, generation): it is never set
/// on the model, so other users of the same model are not steered.
/// </summary>
public sealed class ActivationSteering : LayerIntervention
{
    private readonly float[] _shift;

    /// <summary>Creates the intervention.</summary>
    /// <param name="vector">The steering vector; its layer is the one changed.</param>
    /// <param name="strength">α: the multiple of the vector added (negative subtracts it).</param>
    /// <param name="position">Last position (the paper) or every position.</param>
    public ActivationSteering(SteeringVector vector, double strength, SteeringPosition position = SteeringPosition.Last)
    {
        Vector = vector ?? throw new ArgumentNullException(nameof(vector));
        if (!double.IsFinite(strength)) throw new ArgumentOutOfRangeException(nameof(strength), strength, "The strength must be finite.");
        if (!Enum.IsDefined(position)) throw new ArgumentOutOfRangeException(nameof(position), position, "Unknown steering position.");
        Strength = strength;
        Position = position;
        _shift = vector.Vector().Select(v => (float)(v * strength)).ToArray();
    }

    /// <summary>The steering vector.</summary>
    public SteeringVector Vector { get; }

    /// <summary>α.</summary>
    public double Strength { get; }

    /// <summary>Where the vector is added.</summary>
    public SteeringPosition Position { get; }

    /// <summary>The layer changed.</summary>
    public int Layer => Vector.Layer;

    /// <summary>Throws unless the vector's layer and width fit <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">The layer is out of range or the width differs.</exception>
    public void CheckFits(MegalodonConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Layer >= config.NumLayers)
            throw new ArgumentException($"The steering vector is for layer {Layer}, but the model has {config.NumLayers} layers (0 to {config.NumLayers - 1}).");
        if (_shift.Length != config.ModelDim)
            throw new ArgumentException($"The steering vector has {_shift.Length} values, but the model's width is {config.ModelDim}.");
    }

    /// <inheritdoc />
    public override Tensor Apply(int layerIndex, Tensor output, InterventionContext context)
    {
        if (layerIndex != Layer) return output;
        if (Position == SteeringPosition.Last && !context.EndsCall) return output;
        using var scope = NewDisposeScope();
        var shift = tensor(_shift).to(output.dtype, output.device);
        Tensor result;
        if (Position == SteeringPosition.Every)
            result = output + shift;
        else
        {
            // A one-hot mask over positions picks each row's last real token.
            long rows = output.shape[0], length = output.shape[1];
            var last = context.LastPositions is { } given ? tensor(given.ToArray()) : full(new[] { rows }, length - 1, dtype: ScalarType.Int64);
            var mask = nn.functional.one_hot(last.to(output.device), length).to(output.dtype);
            result = output + mask.unsqueeze(2) * shift;
        }
        return result.MoveToOuterDisposeScope();
    }
}

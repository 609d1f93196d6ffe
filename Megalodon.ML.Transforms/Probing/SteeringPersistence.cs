using Megalodon.ML.Probing;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>Writes and reads an optional <see cref="ActivationSteering"/> in a saved model.</summary>
internal static class SteeringPersistence
{
    // bool present; then int layer, double strength, int position, double scale, int width, float × width (unit direction).
    public static void Write(BinaryWriter writer, ActivationSteering? steering)
    {
        writer.Write(steering is not null);
        if (steering is null) return;
        writer.Write(steering.Layer);
        writer.Write(steering.Strength);
        writer.Write((int)steering.Position);
        writer.Write(steering.Vector.Scale);
        writer.Write(steering.Vector.Direction.Count);
        foreach (float v in steering.Vector.Direction) writer.Write(v);
    }

    public static ActivationSteering? Read(BinaryReader reader)
    {
        if (!reader.ReadBoolean()) return null;
        int layer = reader.ReadInt32();
        double strength = reader.ReadDouble();
        var position = (SteeringPosition)reader.ReadInt32();
        double scale = reader.ReadDouble();
        int width = reader.ReadInt32();
        var direction = Enumerable.Range(0, width).Select(_ => reader.ReadSingle()).ToArray();
        return new ActivationSteering(new SteeringVector(layer, direction, scale), strength, position);
    }
}

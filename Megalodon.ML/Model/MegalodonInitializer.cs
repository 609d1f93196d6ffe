using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Model;

/// <summary>The reference's initialisation (spec §7.1): projections by <c>init_mode</c>, embedding and output by a truncated normal, norms and Q/K scales at zero (offset form), CEMA as in its own reset.</summary>
internal static class MegalodonInitializer
{
    public static void Initialize(MegalodonModel model, MegalodonConfig config)
    {
        using var noGrad = no_grad();
        double std = 1.0 / Math.Sqrt(config.ModelDim);
        nn.init.trunc_normal_(model.Embedding.weight!, 0, std, -3 * std, 3 * std);
        if (!config.ShareEmb)
        {
            var outputWeight = model.ProjectionWeight;
            nn.init.trunc_normal_(outputWeight, 0, std, -3 * std, 3 * std);
        }
        foreach (var block in model.Blocks)
            foreach (var linear in block.Attention.Projections.Concat(block.FeedForward.Projections))
                InitializeProjection(linear, config.InitMode);
    }

    private static void InitializeProjection(Linear linear, string mode)
    {
        var weight = linear.weight!;
        long fanIn = weight.shape[1];
        switch (mode)
        {
            case "he":
                // kaiming_normal_(a=√5, fan_in): N(0, 1/(3·fan_in)).
                nn.init.normal_(weight, 0, Math.Sqrt(1.0 / (3 * fanIn)));
                break;
            case "bert":
                nn.init.normal_(weight, 0, 0.02);
                break;
            case "xavier":
                nn.init.xavier_uniform_(weight);
                break;
            case "gaussian":
                nn.init.normal_(weight, 0, 1.0 / Math.Sqrt(fanIn));
                break;
            case "none":
                return; // keep TorchSharp's default Linear initialisation, biases included
        }
        if (linear.bias is { } bias)
            nn.init.zeros_(bias);
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>The reference's 3-layer MLP box head (ReLU between layers), <c>bbox_embed.layers.N</c>; sigmoid applied by the caller.</summary>
public sealed class BoxHead : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<Linear> layers;

    /// <summary>hidden → hidden → hidden → 4.</summary>
    public BoxHead(int hiddenDim) : base(nameof(BoxHead))
    {
        layers = nn.ModuleList(nn.Linear(hiddenDim, hiddenDim), nn.Linear(hiddenDim, hiddenDim), nn.Linear(hiddenDim, 4));
        RegisterComponents();
    }

    /// <summary>The last layer (hidden → 4), which Deformable DETR initialises to zero.</summary>
    public Linear LastLayer => layers[^1];

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        for (int i = 0; i < layers.Count; i++)
            x = i < layers.Count - 1 ? nn.functional.relu(layers[i].forward(x)) : layers[i].forward(x);
        return x.MoveToOuterDisposeScope();
    }
}

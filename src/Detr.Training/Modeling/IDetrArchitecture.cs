namespace Detr.Training.Modeling;

/// <summary>How a model scores classes: softmax with a no-object column (DETR) or a sigmoid per class (Deformable DETR).</summary>
public enum ClassificationKind
{
    /// <summary>Softmax over classes + no-object; score = max over real classes.</summary>
    SoftmaxWithNoObject,

    /// <summary>Independent sigmoid per class, focal loss; top-k over queries × classes.</summary>
    Sigmoid,
}

/// <summary>
/// A DETR-family architecture: the one abstraction the trainer, checkpoints, weight loading and export take.
/// <see cref="DetrConfig"/> and <see cref="Deformable.DeformableDetrConfig"/> implement it.
/// </summary>
public interface IDetrArchitecture
{
    /// <summary>The architecture's name as stored in checkpoints ("detr" or "deformable").</summary>
    string Name { get; }

    /// <summary>Real classes (no-object not counted).</summary>
    int NumClasses { get; }

    /// <summary>Decoder layers (each gives an output for the auxiliary losses).</summary>
    int DecoderLayers { get; }

    /// <summary>Object queries.</summary>
    int Queries { get; }

    /// <summary>The ResNet trunk.</summary>
    ResNetSpec ResNet { get; }

    /// <summary>One line for people: the architecture, backbone, layers, width, queries and switches.</summary>
    string Summary { get; }

    /// <summary>How classes are scored.</summary>
    ClassificationKind Classification { get; }

    /// <summary>The same architecture for another class count.</summary>
    IDetrArchitecture WithNumClasses(int numClasses);

    /// <summary>A randomly initialised model (the reference's initialisation).</summary>
    DetectionTransformer CreateModel();
}

namespace Detr.Training.Modeling.Deformable;

/// <summary>How two-stage Deformable DETR ranks the encoder's proposals to pick the decoder's queries.</summary>
public enum ProposalSelection
{
    /// <summary>
    /// The reference's: the encoder's class head learns objectness (every target counts as class 0) and proposals are
    /// ranked by the first class logit.
    /// </summary>
    Objectness,

    /// <summary>
    /// DINO's: the encoder's class head learns the true classes and proposals are ranked by their best class logit,
    /// so the encoder's features are trained to tell the classes apart, not only objects from background.
    /// </summary>
    BestClass,
}

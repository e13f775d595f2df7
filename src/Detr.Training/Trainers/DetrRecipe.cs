namespace Detr.Training.Trainers;

/// <summary>A named training recipe: the trainer's options for a dataset, and why they were chosen.</summary>
/// <param name="Name">What <c>detr train --recipe</c> calls it.</param>
/// <param name="Reason">One line on why it fits (printed by <c>detr train</c>).</param>
/// <param name="Options">The trainer's options; callers still set data-independent ones (output folder, progress, time limit).</param>
public sealed record DetrRecipe(string Name, string Reason, DetrTrainerOptions Options);

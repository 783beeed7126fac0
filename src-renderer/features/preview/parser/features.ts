// What each segment of a toolpath is, as one byte per segment. The numbers are stored in the
// `feature` typed array and read by the shaders, so they must stay stable.

export const Feature = {
  travel: 0,
  externalPerimeter: 1,
  perimeter: 2,
  overhangPerimeter: 3,
  internalInfill: 4,
  solidInfill: 5,
  topSolidInfill: 6,
  bottomSolidInfill: 7,
  bridgeInfill: 8,
  gapFill: 9,
  skirtBrim: 10,
  support: 11,
  supportInterface: 12,
  wipeTower: 13,
  ironing: 14,
  custom: 15,
  /** An extruding move with no (or an unknown) ;TYPE: comment before it. */
  extrusion: 16,
  /** Not a move: the position was set (G92, G28) and the next move starts elsewhere. Never drawn. */
  jump: 255,
} as const;

export type FeatureName = Exclude<keyof typeof Feature, 'jump'>;

/** Feature names in code order (index = code), for legends and palettes. */
export const featureNames: FeatureName[] = (Object.keys(Feature) as (keyof typeof Feature)[])
  .filter((k): k is FeatureName => k !== 'jump')
  .sort((a, b) => Feature[a] - Feature[b]);

// ;TYPE: values written by PrusaSlicer / SuperSlicer (first), OrcaSlicer / Bambu Studio and
// Cura, lower-cased. Unknown names fall back to `extrusion`.
const typeNames: Record<string, number> = {
  'external perimeter': Feature.externalPerimeter,
  'outer wall': Feature.externalPerimeter,
  'wall-outer': Feature.externalPerimeter,
  perimeter: Feature.perimeter,
  'inner wall': Feature.perimeter,
  'wall-inner': Feature.perimeter,
  'overhang perimeter': Feature.overhangPerimeter,
  'overhang wall': Feature.overhangPerimeter,
  'internal infill': Feature.internalInfill,
  'sparse infill': Feature.internalInfill,
  fill: Feature.internalInfill,
  'solid infill': Feature.solidInfill,
  'internal solid infill': Feature.solidInfill,
  skin: Feature.solidInfill,
  'top solid infill': Feature.topSolidInfill,
  'top surface': Feature.topSolidInfill,
  'bottom surface': Feature.bottomSolidInfill,
  'bridge infill': Feature.bridgeInfill,
  'internal bridge infill': Feature.bridgeInfill,
  bridge: Feature.bridgeInfill,
  'gap fill': Feature.gapFill,
  'gap infill': Feature.gapFill,
  'thin wall': Feature.gapFill,
  skirt: Feature.skirtBrim,
  brim: Feature.skirtBrim,
  'skirt/brim': Feature.skirtBrim,
  support: Feature.support,
  'support material': Feature.support,
  'support interface': Feature.supportInterface,
  'support material interface': Feature.supportInterface,
  'support-interface': Feature.supportInterface,
  'support-infill': Feature.support,
  'wipe tower': Feature.wipeTower,
  'prime tower': Feature.wipeTower,
  'prime-tower': Feature.wipeTower,
  ironing: Feature.ironing,
  custom: Feature.custom,
};

/** Feature code for the text after `;TYPE:`. */
export function featureFromTypeComment(name: string): number {
  return typeNames[name.trim().toLowerCase()] ?? Feature.extrusion;
}

// GLSL for the toolpath: the typed arrays are vertex buffers and the shaders turn them into
// lines (one strip) or boxes (one instance per segment). Colour modes, travel toggle and
// live-progress ghosting are uniforms, so changing them re-uploads nothing.

export const FEATURE_COLORS = 17;
export const TOOL_COLORS = 8;

const common = /* glsl */ `
  uniform int uProgress;       // segments printed; -1 when not printing
  uniform int uColorMode;      // 0 feature, 1 speed, 2 layer, 3 tool
  uniform bool uShowTravel;
  uniform vec3 uFeatureColors[${FEATURE_COLORS}];
  uniform vec3 uToolColors[${TOOL_COLORS}];
  uniform vec2 uFeedRange;     // mm/min of extruding moves
  uniform float uLayerCount;
  uniform vec3 uGhostColor;

  // Integer attributes (bytes read as uint): software GL (ANGLE on SwiftShader) converts
  // byte-to-float attributes in a pass over the whole buffer before drawing.
  attribute uint aFeature;
  attribute uint aTool;
  attribute float aFeed;
  attribute uint aLayer;
#ifdef OVERVIEW
  // Overview (level of detail): the original segment each one ends with, for live progress.
  attribute uint aSource;
#endif

  // Flat: a segment has one colour; in lines mode the value comes from the segment's end vertex.
  flat varying vec3 vColor;
  flat varying float vHidden;

  vec3 ramp(float t) {
    // blue -> green -> yellow -> red
    t = clamp(t, 0.0, 1.0);
    return t < 0.5 ? mix(vec3(0.15, 0.35, 1.0), vec3(0.2, 0.85, 0.3), t * 2.0)
                   : mix(vec3(0.2, 0.85, 0.3), vec3(1.0, 0.25, 0.1), t * 2.0 - 1.0);
  }

  vec3 hue(float h) {
    vec3 k = clamp(abs(mod(h * 6.0 + vec3(0.0, 4.0, 2.0), 6.0) - 3.0) - 1.0, 0.0, 1.0);
    return mix(vec3(0.35), k, 0.85);
  }

  // Colour of a segment; false when it is not drawn (jumps; travel when hidden).
  bool segmentColor(int segment, out vec3 color) {
    int feature = int(aFeature);
    color = vec3(0.0);
    if (feature == 255) return false;
    bool travel = feature == 0;
    if (travel && !uShowTravel) return false;
    if (travel) color = uFeatureColors[0];
    else if (uColorMode == 0) color = uFeatureColors[min(feature, ${FEATURE_COLORS - 1})];
    else if (uColorMode == 1) color = ramp((aFeed - uFeedRange.x) / max(1.0, uFeedRange.y - uFeedRange.x));
    else if (uColorMode == 2) color = hue(float(aLayer) / max(1.0, uLayerCount) * 0.8);
    else color = uToolColors[int(aTool) % ${TOOL_COLORS}];
    if (uProgress >= 0 && segment >= uProgress) color = mix(color, uGhostColor, 0.82);
    return true;
  }
`;

/**
 * Lines mode: one LINE_STRIP through all points (segment i = point i -> i+1), no instancing, so
 * even software GL draws millions of segments in one pass. The per-segment attribute buffers
 * carry one leading pad element, so vertex v holds segment v-1's values, and v is the last
 * (provoking) vertex of that segment's line: flat varyings give each segment its own colour.
 */
export const lineVertexShader = /* glsl */ `
  ${common}
  void main() {
    vec3 color;
#ifdef OVERVIEW
    int segment = int(aSource);
#else
    int segment = gl_VertexID - 1;
#endif
    vHidden = segmentColor(segment, color) ? 0.0 : 1.0;
    vColor = color;
    gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  }
`;

/**
 * Solid mode: one instance per segment; the base geometry is four faces of a box along x.
 * position.x = 0/1 along the segment, position.y = -1/1 across it, position.z = -1/1 up;
 * normal gives the face.
 */
export const solidVertexShader = /* glsl */ `
  ${common}
  uniform int uFirst;          // segment index of instance 0 (the draw window's start)
  uniform float uHalfWidth;
  uniform float uHeight;
  uniform vec3 uLightDir;
  attribute vec3 aStart;
  attribute vec3 aEnd;
  const vec4 CULLED = vec4(2.0, 2.0, 2.0, 1.0); // outside the clip volume: nothing rasterised
  void main() {
    vec3 color;
    vHidden = 0.0;
#ifdef OVERVIEW
    int segment = int(aSource);
#else
    int segment = uFirst + gl_InstanceID;
#endif
    if (!segmentColor(segment, color)) { vColor = color; gl_Position = CULLED; return; }
    vec3 d = aEnd - aStart;
    float len = length(d);
    vec3 dir = len > 1e-6 ? d / len : vec3(1.0, 0.0, 0.0);
    vec3 side = cross(dir, vec3(0.0, 0.0, 1.0));
    side = length(side) > 1e-4 ? normalize(side) : vec3(1.0, 0.0, 0.0);
    vec3 up = cross(side, dir);
    bool travel = aFeature == 0u;
    float hw = travel ? 0.05 : uHalfWidth;
    float hh = travel ? 0.05 : uHeight * 0.5;
    // Extrusions hang below the nozzle height; boxes overlap by half a width at the joints.
    vec3 p = mix(aStart, aEnd, position.x) + dir * (position.x * 2.0 - 1.0) * hw
           + side * position.y * hw + up * (position.z * hh - (travel ? 0.0 : hh));
    vec3 n = normalize(side * normal.y + up * normal.z);
    vColor = color * (0.4 + 0.6 * max(dot(n, uLightDir), 0.0)) + 0.08 * max(n.z, 0.0);
    gl_Position = projectionMatrix * modelViewMatrix * vec4(p, 1.0);
  }
`;

export const fragmentShader = /* glsl */ `
  flat varying vec3 vColor;
  flat varying float vHidden;
  void main() {
    if (vHidden > 0.5) discard;
    gl_FragColor = vec4(vColor, 1.0);
  }
`;

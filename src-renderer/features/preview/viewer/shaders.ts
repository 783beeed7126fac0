// GLSL for the toolpath. One instance per segment: the segment's end points and attributes come
// from instanced buffers, and the vertex shader turns the instance into a line or a box. Colour
// modes, travel toggle and live-progress ghosting are uniforms, so changing them re-uploads nothing.

export const FEATURE_COLORS = 17;
export const TOOL_COLORS = 8;

const common = /* glsl */ `
  uniform int uFirst;          // segment index of instance 0 (the draw window's start)
  uniform int uProgress;       // segments printed; -1 when not printing
  uniform int uColorMode;      // 0 feature, 1 speed, 2 layer, 3 tool
  uniform bool uShowTravel;
  uniform vec3 uFeatureColors[${FEATURE_COLORS}];
  uniform vec3 uToolColors[${TOOL_COLORS}];
  uniform vec2 uFeedRange;     // mm/min of extruding moves
  uniform float uLayerCount;
  uniform vec3 uGhostColor;

  attribute vec3 aStart;
  attribute vec3 aEnd;
  attribute float aFeature;
  attribute float aTool;
  attribute float aFeed;
  attribute uint aLayer;

  varying vec3 vColor;

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

  // Returns false when the segment is not drawn (jumps; travel when hidden).
  bool segmentColor(out vec3 color) {
    int feature = int(aFeature + 0.5);
    if (feature == 255) return false;
    bool travel = feature == 0;
    if (travel && !uShowTravel) return false;
    if (travel) color = uFeatureColors[0];
    else if (uColorMode == 0) color = uFeatureColors[min(feature, ${FEATURE_COLORS - 1})];
    else if (uColorMode == 1) color = ramp((aFeed - uFeedRange.x) / max(1.0, uFeedRange.y - uFeedRange.x));
    else if (uColorMode == 2) color = hue(float(aLayer) / max(1.0, uLayerCount) * 0.8);
    else color = uToolColors[int(aTool + 0.5) % ${TOOL_COLORS}];
    int segment = uFirst + gl_InstanceID;
    if (uProgress >= 0 && segment >= uProgress) color = mix(color, uGhostColor, 0.82);
    return true;
  }

  const vec4 CULLED = vec4(2.0, 2.0, 2.0, 1.0); // outside the clip volume: nothing rasterised
`;

/** Lines mode: the base geometry is two vertices, position.x = 0 (start) or 1 (end). */
export const lineVertexShader = /* glsl */ `
  ${common}
  void main() {
    vec3 color;
    if (!segmentColor(color)) { gl_Position = CULLED; return; }
    vColor = color;
    vec3 p = mix(aStart, aEnd, position.x);
    gl_Position = projectionMatrix * modelViewMatrix * vec4(p, 1.0);
  }
`;

/**
 * Solid mode: the base geometry is four faces of a box around the x axis. position.x = 0/1 along
 * the segment, position.y = -1/1 across it, position.z = -1/1 up; normal gives the face.
 */
export const solidVertexShader = /* glsl */ `
  ${common}
  uniform float uHalfWidth;
  uniform float uHeight;
  uniform vec3 uLightDir;
  void main() {
    vec3 color;
    if (!segmentColor(color)) { gl_Position = CULLED; return; }
    vec3 d = aEnd - aStart;
    float len = length(d);
    vec3 dir = len > 1e-6 ? d / len : vec3(1.0, 0.0, 0.0);
    vec3 side = cross(dir, vec3(0.0, 0.0, 1.0));
    side = length(side) > 1e-4 ? normalize(side) : vec3(1.0, 0.0, 0.0);
    vec3 up = cross(side, dir);
    bool travel = int(aFeature + 0.5) == 0;
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
  varying vec3 vColor;
  void main() {
    gl_FragColor = vec4(vColor, 1.0);
  }
`;

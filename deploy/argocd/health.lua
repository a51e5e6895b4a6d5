-- Argo CD health of an acspush.io PushNotificationLink (Lua 5.1, as Argo CD's gopher-lua runs it).
--   Healthy      Ready=True for the current generation
--   Progressing  no status yet, a spec change the operator has not observed, or a link change
--                still propagating to ACS's data plane (Propagated=False, reason Propagating, and
--                nothing else failing: Ready carries the first failing reason, Propagated's is last)
--   Degraded     otherwise, with the failing Ready condition's message (it says what to fix)
local hs = {}

local function condition(conditions, wanted)
  for _, c in ipairs(conditions) do
    if c.type == wanted then
      return c
    end
  end
  return nil
end

local function describe(c)
  if c.message ~= nil and c.message ~= "" then
    if c.reason ~= nil and c.reason ~= "" then
      return c.reason .. ": " .. c.message
    end
    return c.message
  end
  if c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return "Ready is " .. tostring(c.status)
end

local status = obj.status
if status == nil or status.conditions == nil or #status.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the link's status"
  return hs
end

local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local ready = condition(status.conditions, "Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or "Linked"
  return hs
end

local propagated = condition(status.conditions, "Propagated")
local only_propagating = ready == nil or ready.reason == "Propagating"
if propagated ~= nil and propagated.status == "False" and propagated.reason == "Propagating" and only_propagating then
  hs.status = "Progressing"
  hs.message = propagated.message or "Waiting for the link to propagate to ACS"
  return hs
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the Ready condition"
  return hs
end

hs.status = "Degraded"
hs.message = describe(ready)
return hs

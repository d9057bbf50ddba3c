// placeholder until the renderers land
